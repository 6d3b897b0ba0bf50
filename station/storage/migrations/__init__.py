"""Alembic's migration environment of the station's storage (run by ``station.storage.schema``)."""
