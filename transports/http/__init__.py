"""Convertr HTTP API (Falcon)."""
