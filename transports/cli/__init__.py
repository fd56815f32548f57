"""The convertr command."""
