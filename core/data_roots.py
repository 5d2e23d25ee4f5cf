"""Which server folders the CSV-folder source may read: the operator's allowed roots.

A folder typed in the sidebar or carried by a link (``?src=csv&dir=...``) is read only when it
resolves (symlinks followed) inside a root the operator configured:

- ``SCX_DATA_DIR``: one folder (also the app's start-up folder);
- ``SCX_DATA_ROOTS``: more folders, separated by ``os.pathsep`` (``:`` on Linux);
- ``data_roots`` in ``.streamlit/secrets.toml`` (a string or a list), read by the UI and passed in.

With no root configured the folder source is *local-only*: any folder is allowed on a machine
that is not a deployment, and the source is off on a deployed app. An app counts as deployed when
``SCX_DEPLOYED`` is true (``1``/``true``/``yes``), or it runs on Streamlit Community Cloud
(its checkout lives under ``/mount/src``), unless ``SCX_DEPLOYED`` is false (``0``/``false``/``no``).

Links never carry a server path: :meth:`DataRoots.link_value` turns a folder into its path
relative to its root (or nothing), and :meth:`DataRoots.resolve` reads a link's relative path
against the roots.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import ExplorerError

__all__ = ["DataRootError", "DataRoots", "data_roots", "is_deployed"]

ENV_DATA_DIR = "SCX_DATA_DIR"
ENV_DATA_ROOTS = "SCX_DATA_ROOTS"
ENV_DEPLOYED = "SCX_DEPLOYED"
#: Where Streamlit Community Cloud checks out an app's repository.
COMMUNITY_CLOUD_MOUNT = Path("/mount/src")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
#: Longest folder text accepted (characters).
MAX_DIR_CHARS = 1024


class DataRootError(ExplorerError):
    """A folder outside the allowed roots, or the folder source is off on this deployment."""


def is_deployed(environ: Mapping[str, str] | None = None, app_dir: Path | None = None) -> bool:
    """Whether this server is a deployment (``SCX_DEPLOYED``, else Community Cloud's checkout path)."""
    env = os.environ if environ is None else environ
    flag = env.get(ENV_DEPLOYED, "").strip().lower()
    if flag in _TRUE:
        return True
    if flag in _FALSE:
        return False
    here = (app_dir or Path(__file__)).resolve()
    return here.is_relative_to(COMMUNITY_CLOUD_MOUNT)


def _resolve(folder: str | Path) -> Path:
    return Path(os.path.expanduser(str(folder))).resolve()


@dataclass(frozen=True)
class DataRoots:
    """The allowed roots (resolved) and whether the app is deployed.

    Attributes
    ----------
    roots : tuple of Path
        Resolved, existing folders; empty when none is configured.
    deployed : bool
        Whether the app counts as deployed (see the module docstring).
    """

    roots: tuple[Path, ...]
    deployed: bool

    @property
    def enabled(self) -> bool:
        """Whether the folder source may be used at all."""
        return bool(self.roots) or not self.deployed

    def describe(self) -> str:
        """One line for the UI, naming no server path."""
        if self.roots:
            n = len(self.roots)
            return f"Folders are read only inside the {n} folder{'s' if n > 1 else ''} the operator allows."
        if self.deployed:
            return "The CSV-folder source is off on this deployment (no allowed folder configured)."
        return "Local use: any folder on this machine (set SCX_DATA_ROOTS to restrict)."

    def resolve(self, folder: str) -> Path:
        """The allowed folder for ``folder`` (absolute, or relative to a root), symlinks resolved.

        A relative path is tried against each root in order (the first that exists wins);
        ``""`` or ``"."`` is the first root. With roots configured the folder must exist.

        Raises
        ------
        DataRootError
            The source is off, the text is too long or holds a NUL, the folder resolves
            outside every root, or (with roots) does not exist. The message names no server path.
        """
        text = str(folder).strip()
        if len(text) > MAX_DIR_CHARS or "\x00" in text:
            raise DataRootError(f"the folder text is not a usable path (at most {MAX_DIR_CHARS} characters)")
        if not self.enabled:
            raise DataRootError(self.describe())
        if not self.roots:
            if not text:
                raise DataRootError("type the path of a folder of CSV files")
            return _resolve(text)
        path = Path(os.path.expanduser(text)) if text else Path(".")
        candidates = [path] if path.is_absolute() else [root / path for root in self.roots]
        inside = [c.resolve() for c in candidates if self._inside(c.resolve())]
        for resolved in inside:
            if resolved.is_dir():
                return resolved
        if inside:  # named without the server path, so a missing folder reveals nothing of the layout
            raise DataRootError(f"no folder {text!r} inside the folders this app may read")
        raise DataRootError(
            f"the folder {text!r} is outside the folders this app may read; "
            "use a folder inside an allowed root (paths relative to it work)"
        )

    def allowed(self, folder: str | Path) -> bool:
        """Whether ``folder`` resolves inside an allowed root (any folder when local with no roots)."""
        try:
            self.resolve(str(folder))
        except DataRootError:
            return False
        return True

    def link_value(self, folder: str | Path | None) -> str | None:
        """What a share link may carry for ``folder``: its path relative to its root, else nothing.

        ``"."`` stands for a root itself. With no roots configured nothing is shared (a path on
        one machine means nothing, or too much, to the reader of a link).
        """
        if folder is None or not self.roots:
            return None
        try:
            resolved = self.resolve(str(folder))
        except DataRootError:
            return None
        for root in self.roots:
            if resolved.is_relative_to(root):
                return resolved.relative_to(root).as_posix() or "."
        return None

    def _inside(self, resolved: Path) -> bool:
        return any(resolved == root or resolved.is_relative_to(root) for root in self.roots)


def _split(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in value.split(os.pathsep) if p.strip()]
    return [str(p) for p in value if str(p).strip()]


def data_roots(
    environ: Mapping[str, str] | None = None,
    extra: str | Iterable[str] | None = None,
    app_dir: Path | None = None,
) -> DataRoots:
    """The allowed roots from ``SCX_DATA_DIR``, ``SCX_DATA_ROOTS`` and ``extra`` (e.g. from secrets).

    Roots that do not exist are dropped (a typo must not widen access); symlinks are resolved so
    a link inside a root that points elsewhere is judged by its target.
    """
    env = os.environ if environ is None else environ
    raw = _split(env.get(ENV_DATA_DIR)) + _split(env.get(ENV_DATA_ROOTS)) + _split(extra)
    roots: list[Path] = []
    for text in raw:
        path = _resolve(text.strip())
        if path.is_dir() and path not in roots:
            roots.append(path)
    return DataRoots(roots=tuple(roots), deployed=is_deployed(env, app_dir))
