"""Keep the import-time heap out of the garbage collector's full passes.

Streamlit runs a full collection (``gc.collect(2)``) after every script run
(``runner.postScriptGC``). On this app's heap (numpy, pandas, scipy, statsmodels,
arch, altair and every ``core`` module: ~180,000 tracked objects) a full pass takes
60-90 ms on a 2-core machine, holding the GIL, and it lands exactly when the
finished run's results are waiting in the server's send queue: the headline numbers
reach the browser that much later. Those objects (modules, classes, functions) live
as long as the process, so scanning them again after every rerun finds nothing.
:func:`freeze_import_heap` imports what the pages use, collects once and moves the
survivors to the collector's permanent generation (:func:`gc.freeze`); later full
passes scan only what sessions create (a full pass then takes well under 5 ms).
"""

from __future__ import annotations

import gc
import importlib
import pkgutil

__all__ = ["freeze_import_heap"]

#: Packages imported before freezing: ``core`` and ``ui`` (their pages and ``__main__``
#: excepted: those run when imported) bring in numpy, pandas, scipy, statsmodels, arch
#: and altair.
_PACKAGES = ("core", "ui")
_PAGES = "ui.pages"

_frozen = False


def freeze_import_heap() -> int:
    """Import every ``core`` and ``ui`` module, collect, then freeze the heap (once per process).

    Returns
    -------
    int
        Objects moved to the permanent generation by this call (0 after the first call).

    Notes
    -----
    Anything alive at the first call is never scanned again, so a reference cycle among
    those objects that later becomes garbage would not be freed: that is the first
    script run's few session objects at most, once per process.
    """
    global _frozen
    if _frozen:
        return 0
    for name in _PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if module.name.endswith(".__main__") or module.name == _PAGES or module.name.startswith(f"{_PAGES}."):
                continue
            importlib.import_module(module.name)
    gc.collect()
    before = gc.get_freeze_count()
    gc.freeze()
    _frozen = True
    return gc.get_freeze_count() - before
