"""SQL storage: typed models, the async engine and sessions, Alembic migrations, SQLite backups."""
from .database import Database, DatabaseBusy, create_engine, normalise_url

__all__ = ["Database", "DatabaseBusy", "create_engine", "normalise_url"]
