"""Convertr's built-in video plugin."""
