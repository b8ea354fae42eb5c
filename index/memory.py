"""Handing freed memory back to the system; reading files back into the page cache."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterable
from pathlib import Path

PREFETCH_CHUNK = 1 << 20


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None


def release_free_memory() -> None:
    """Return to the system the pages glibc keeps after they were freed, in every thread's
    arena (``malloc_trim``): after loading a pool (about 50 MB at a million), and after a
    save has read the inverted file into memory and freed it (about 400 MB). A no-op
    elsewhere than glibc."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def prefetch(paths: Iterable[Path]) -> int:
    """Read the files at ``paths`` (a folder: every file under it) through once, so that
    the page cache holds them; return the bytes read.

    For the files a pool searches in place (the mapped inverted file, the BM25 segments):
    loading the profiles reads the store through the page cache, which at a million
    candidates (a 27 GB store on a 24 GB machine) pushes them out, and the first searches
    after a start then fault their lists in from disk (a match's vector search took up to
    230 ms there, with some 4,000 major page faults, against about 1 ms warm). Read, not
    advised: ``posix_fadvise(WILLNEED)`` returned at once and left the file where it was
    (8 MB of 392 resident). About a second a gigabyte from disk, a tenth of that cached."""
    done = 0
    chunk = bytearray(PREFETCH_CHUNK)
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                handle = open(file, "rb", buffering=0)
            except FileNotFoundError:  # not there, or gone since listed (a merged segment)
                continue
            with handle:
                while read := handle.readinto(chunk):
                    done += read
    return done
