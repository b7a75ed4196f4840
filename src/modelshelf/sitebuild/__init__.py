"""The site builders: building/serving with MkDocs, the plugin-free generator and the Zensical build, the build cache, working folders."""
