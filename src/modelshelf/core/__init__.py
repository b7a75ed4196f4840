"""The pure registry domain: tag grammar, SemVer, events and state folding.

Nothing in this package does I/O, so every rule can be tested in isolation
and reused by the CLI, the MkDocs plugin and the download client alike.
"""
