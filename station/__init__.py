"""The correction station: a local FastAPI service around the ``omr`` reader and scorer."""
