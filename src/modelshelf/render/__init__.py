"""The catalog site: page specs, Jinja2 templates and helpers (no MkDocs imports here).

``site.render_site`` turns the JSON index into generated pages and files; the
MkDocs plugin only hands them to MkDocs. Keeping MkDocs out of this package
lets the CLI, the plugin and the tests share one renderer.
"""
