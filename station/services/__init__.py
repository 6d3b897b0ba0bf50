"""Service functions: keyword-only, called by routes, pages, the watcher and the CLI."""
