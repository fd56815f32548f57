"""Migration scripts, applied in order by `convertr db upgrade` and at start."""
