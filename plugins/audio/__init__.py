"""Convertr's built-in audio plugin."""
