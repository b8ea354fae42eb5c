"""Handing freed memory back to the system."""

from __future__ import annotations

import ctypes
import functools


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
