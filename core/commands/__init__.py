"""Subcommands of ``python -m core``: each module defines ``register`` and ``run``."""
