"""Comparing a model's versions and candidate commits: metrics, params, lineage and plots.

- ``plotdata``: ``dvc.yaml`` ``plots:`` declarations and their data files;
- ``candidates``: recent never-registered commits (and DVC experiments) that changed a model;
- ``extras``: what this adds to the JSON index (``plots`` per version, ``candidates`` per model);
- ``model``: the comparison itself, from a model's JSON record;
- ``api``: comparing refs of a model read from a repository (``modelshelf compare``);
- ``overlay``: matplotlib overlays of a plot across the latest versions.

Submodules are imported on use (the index imports ``extras`` only).
"""
