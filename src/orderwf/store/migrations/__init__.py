"""Alembic migrations of the store, shipped in the package and run programmatically
(`orderwf.store.db`). `HEAD` must name the newest revision in `versions/`: `db.connect` compares
it with the database's `alembic_version` without loading Alembic, and a test checks it."""

HEAD = "0002"
