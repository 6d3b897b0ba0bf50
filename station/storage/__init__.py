"""Storage: SQLAlchemy models and the engine for SQLite or PostgreSQL."""
