"""Alembic migrations for Convertr's database."""
