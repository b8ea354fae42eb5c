"""Documents are read in worker processes bounded in memory and time, so that one hostile
file (a decompression bomb, a PDF that never ends) cannot stall or kill the service.

Workers import only the text extractors (pdfminer.six, python-docx), not spaCy or the
model: they start in a fraction of a second and stay small, so the memory cap is tight.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from models import CorruptDocument, DocumentTooComplex, TalentmatchError
from parsing._extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, extract_text

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 1024


def _limit_memory(megabytes: int) -> None:
    """In the worker: its address space may not grow past ``megabytes``; past it,
    allocations fail (MemoryError) instead of the machine running out."""
    cap = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


class DocumentSandbox:
    """A pool of worker processes that extract text from documents, each task limited to
    ``timeout`` seconds and each worker to ``memory_mb`` of address space. A worker that
    runs out of either is replaced; the caller gets ``DocumentTooComplex``."""

    def __init__(
        self,
        workers: int = 2,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = DEFAULT_MEMORY_MB,
        tasks_per_worker: int = 200,
    ) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._pool = ProcessPool(
            max_workers=workers,
            max_tasks=tasks_per_worker,
            initializer=_limit_memory,
            initargs=(memory_mb,),
            # forkserver: the parent holds torch's threads, which do not survive fork;
            # workers fork from a small server that has imported nothing heavy.
            context=multiprocessing.get_context("forkserver"),
        )
        self._lock = threading.Lock()
        self._closed = False

    def extract(
        self,
        data: bytes,
        name: str,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> tuple[str, str]:
        """``(text, format)`` of a document, as ``parsing.extract_text`` gives it. Raises
        its ParseErrors, and DocumentTooComplex when reading exceeds the time or memory
        limit or kills the worker."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the document sandbox is closed")
            future = self._pool.schedule(
                extract_text,
                args=(data, name),
                kwargs={"max_bytes": max_bytes, "max_pages": max_pages},
                timeout=self.timeout,
            )
        try:
            text, fmt = future.result()
        except TalentmatchError:
            raise
        except FutureTimeout:
            raise DocumentTooComplex(
                f"{name}: reading it took more than {self.timeout:g} s; it was stopped"
            ) from None
        except MemoryError:
            raise DocumentTooComplex(
                f"{name}: reading it needed more than {self.memory_mb} MB; it was stopped"
            ) from None
        except ProcessExpired as exc:
            raise DocumentTooComplex(
                f"{name}: the reader stopped while reading it (exit code {exc.exitcode})"
            ) from None
        except RecursionError:
            raise DocumentTooComplex(f"{name}: its structure nests too deeply") from None
        except Exception as exc:
            # What the extractors do not expect of a file is that file's fault: say so.
            log.warning("reading a document failed: %s", type(exc).__name__)
            raise CorruptDocument(f"{name}: could not be read ({type(exc).__name__})") from None
        return str(text), str(fmt)

    def close(self) -> None:
        """Stop the workers (those busy are killed)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()
