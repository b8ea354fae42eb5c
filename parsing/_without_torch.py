"""spaCy without PyTorch.

spaCy's machine-learning library, thinc, imports torch whenever it is installed (in
``thinc.compat``): about 200 MB resident in every process that parses, though no pipeline
here uses it. torch is installed for the fp32 encoder and for making the int8 model, so it
cannot simply be left out.

:func:`install` puts a finder first on ``sys.meta_path`` that, when ``thinc.compat`` is
imported and torch has not been, runs that one module with torch hidden (``import torch``
fails there, so thinc records that it has none) and makes torch visible again at once: code
that needs torch later (the fp32 encoder) imports it as usual. A process that never imports
spaCy (a document-sandbox worker) never meets the finder's work.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

HIDDEN = "torch"
TARGET = "thinc.compat"


class _HidingLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        sys.modules[HIDDEN] = None  # type: ignore[assignment]  # ``import torch`` fails
        try:
            self.inner.exec_module(module)
        finally:
            if HIDDEN in sys.modules and sys.modules[HIDDEN] is None:
                del sys.modules[HIDDEN]


class _ThincWithoutTorch(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET or HIDDEN in sys.modules:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _HidingLoader(spec.loader)
                return spec
        return None


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _ThincWithoutTorch) for f in sys.meta_path):
        sys.meta_path.insert(0, _ThincWithoutTorch())
