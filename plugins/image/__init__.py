"""Convertr's built-in image plugin."""
