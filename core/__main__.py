"""Command line: ``python -m core <command> ...`` runs the app's pipeline headless and prints JSON."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

#: Subcommand modules, in help order; every other module of ``core.commands`` that defines
#: ``register(subparsers)`` and ``run(args) -> int`` is added after them (sorted), so a new
#: subcommand is one new file.
COMMAND_MODULES: list[str] = [
    "core.commands.data",
    "core.commands.streaks",
    "core.commands.breakouts",
    "core.commands.estimate",
    "core.commands.simulate",
    "core.commands.sweep",
]


def command_modules() -> list[str]:
    """The subcommand modules: the listed ones first, then any other in ``core/commands``."""
    import pkgutil

    import core.commands

    found = sorted(
        f"core.commands.{m.name}"
        for m in pkgutil.iter_modules(core.commands.__path__)
        if not m.name.startswith("_") and m.name != "common"
    )
    return COMMAND_MODULES + [m for m in found if m not in COMMAND_MODULES]


def build_parser() -> argparse.ArgumentParser:
    """Parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Small caps x crypto scenario explorer: data, estimates, history checks and simulations as JSON.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; errors in the input print ``error: ...`` on stderr and return 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:  # ExplorerError (DataError, ScenarioError, BudgetError, ...) and argument checks
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early (``| head``): not an error of ours; silence the flush at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as exc:  # a full disk or a closed terminal while printing
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
