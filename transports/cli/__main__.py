"""``python -m convertr_cli``: the same as the ``convertr`` command."""

from .main import main

main()
