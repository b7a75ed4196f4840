"""The embedded demo registry (``modelshelf demo``, ``create_demo_repo``)."""
