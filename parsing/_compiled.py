"""Arrays the parser derives from its shipped model and taxonomy, kept on disk between
processes.

Loading a parser used to take about 6 s, most of it rebuilding the same things in every
process: the skill tagger's weights read from python-crfsuite's text dump (about 2.3 s) and
the taxonomy's 110,000 labels tokenised into phrase patterns (about 2.5 s). An ingest or
re-index worker paid that before its first résumé. Both are now computed once and kept as
NumPy arrays (``.npz``, no pickles) under a name that is a digest of everything they are
derived from, so a changed model, taxonomy or parser code is never served from a stale file;
a file that cannot be read is rebuilt, and a folder that cannot be written to only costs the
rebuild in each process. Callers name the code that writes their arrays in the fingerprint;
this module's own source is in every one, so a change to how arrays are kept renames them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)
Arrays = dict[str, npt.NDArray[np.generic]]
# Part of every fingerprint.
_OWN_SOURCE = Path(__file__).read_bytes()


def default_cache_dir() -> Path:
    """Where the parser keeps its derived arrays unless told otherwise."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "talentmatch" / "parser"


def source_of(*modules: ModuleType) -> bytes:
    """The source files of ``modules``, for a fingerprint: arrays their code writes are
    built again when it changes."""
    return b"".join(Path(str(m.__file__)).read_bytes() for m in modules)


def digest(*parts: str | bytes) -> str:
    """A short hex digest of ``parts`` (each framed by its length) and of this module."""
    h = hashlib.sha256(_OWN_SOURCE)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:20]


def load_or_build(
    folder: Path | None, name: str, fingerprint: str, build: Callable[[], Arrays]
) -> Arrays:
    """The arrays kept as ``name`` for ``fingerprint`` in ``folder``, or ``build()``'s,
    kept there for the next process (``folder`` None: built, not kept)."""
    if folder is None:
        return build()
    path = folder / f"{name}-{fingerprint}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (FileNotFoundError, NotADirectoryError):
        pass  # not made yet
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("rebuilding %s, which could not be read: %s", path, exc)
    arrays = build()
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy's stubs want Any
        # Atomic: two processes that build at once each replace the file with a whole one.
        os.replace(partial, path)
        # What older models, taxonomies or code made is not read again.
        for old in folder.glob(f"{name}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.warning("cannot keep %s (%s): each process will build it again", path, exc)
    return arrays


def pack_strings(strings: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Strings as one UTF-8 buffer and the end offset of each (any characters allowed)."""
    encoded = [s.encode() for s in strings]
    ends = np.cumsum([len(b) for b in encoded], dtype=np.int64)
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), ends


def unpack_strings(buffer: npt.NDArray[np.generic], ends: npt.NDArray[np.generic]) -> list[str]:
    """The strings :func:`pack_strings` packed."""
    data = buffer.astype(np.uint8).tobytes()
    stops = ends.astype(np.int64).tolist()
    return [data[a:b].decode() for a, b in zip([0, *stops], stops, strict=False)]


def put_strings(arrays: Arrays, key: str, strings: Sequence[str]) -> None:
    """Keep ``strings`` in ``arrays`` as ``key`` (the buffer) and ``key_ends``."""
    arrays[key], arrays[f"{key}_ends"] = pack_strings(strings)


def get_strings(arrays: Arrays, key: str) -> list[str]:
    """The strings :func:`put_strings` kept as ``key``."""
    return unpack_strings(arrays[key], arrays[f"{key}_ends"])


def nested(prefix: str, arrays: Arrays) -> Arrays:
    """``arrays`` with their names under ``prefix/``, to keep several sets in one file."""
    return {f"{prefix}/{name}": array for name, array in arrays.items()}


def part(arrays: Arrays, prefix: str) -> Arrays:
    """The set :func:`nested` put under ``prefix``, with its own names."""
    start = prefix + "/"
    return {k.removeprefix(start): v for k, v in arrays.items() if k.startswith(start)}
