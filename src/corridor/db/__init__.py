"""Database engine, sessions, ORM base and migrations. Nothing connects at import time."""
