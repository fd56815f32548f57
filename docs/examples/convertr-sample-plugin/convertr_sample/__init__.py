"""convertr-sample: CSV <-> JSON for Convertr, and an opt-in PNG -> JPG override.

The hooks live in ``convertr_sample.plugin`` (the entry point); this package imports
nothing heavy so that ``convertr --help`` stays fast with the plugin installed.
"""

__version__ = "0.1.0"
