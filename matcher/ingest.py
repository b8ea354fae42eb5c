"""Bulk ingest: files, folders and JSON-lines records → parsed, embedded, stored, indexed.

Text extraction (pdfminer, the slow part of parsing) runs in worker processes ahead of the
main process, which extracts skills and embeds in batches, so the two overlap. A candidate
whose text did not change since its vector was stored is not embedded again.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matcher.engine import Matcher
from models import (
    Application,
    Consent,
    FileTooLarge,
    InvalidInput,
    NewCandidate,
    ParseError,
    TalentmatchError,
)
from parsing import DEFAULT_MAX_BYTES, DOC_SUFFIXES, extract_text

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
# Parse in worker processes only when there is enough to amortise starting them.
MIN_FILES_FOR_WORKERS = 8
LOOKAHEAD = 64


class RecordIn(BaseModel):
    """One line of a JSON-lines ingest file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=256)
    text: str | None = Field(default=None, max_length=1_000_000)
    file: str | None = None
    applications: list[Application] = Field(default_factory=list)
    consent: Consent = Field(default_factory=Consent)
    source: str | None = Field(default=None, max_length=128)


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to ingest: a document file, or a record from a JSON-lines file."""

    label: str
    external_id: str
    path: Path | None = None
    record: RecordIn | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    file: str
    candidate_id: int | None = None
    external_id: str | None = None
    created: bool = False
    error: TalentmatchError | None = None

    def as_json(self) -> dict[str, object]:
        if self.error is not None:
            return {
                "file": self.file,
                "error": {"code": self.error.code, "message": self.error.message},
            }
        return {
            "file": self.file,
            "candidate_id": self.candidate_id,
            "external_id": self.external_id,
        }


def expand(paths: Iterable[Path]) -> Iterator[Source | IngestResult]:
    """Sources under ``paths``, folders walked in name order; unreadable ones as errors."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                suffix = child.suffix.lower()
                if child.name.lower().endswith(JSONL_SUFFIXES):
                    yield from _records(child)
                elif suffix in DOC_SUFFIXES and suffix and not child.name.startswith("."):
                    yield Source(str(child), child.stem, path=child)
        elif path.is_file():
            if path.name.lower().endswith(JSONL_SUFFIXES):
                yield from _records(path)
            else:
                yield Source(str(path), path.stem, path=path)
        else:
            yield IngestResult(str(path), error=InvalidInput(f"{path}: no such file or folder"))


def _records(path: Path) -> Iterator[Source | IngestResult]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            label = f"{path}:{number}"
            try:
                record = RecordIn.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as exc:
                message = (
                    str(exc).splitlines()[0]
                    if isinstance(exc, json.JSONDecodeError)
                    else (
                        "; ".join(
                            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                        )
                    )
                )
                yield IngestResult(label, error=InvalidInput(f"{label}: {message}"))
                continue
            if (record.text is None) == (record.file is None):
                yield IngestResult(
                    label, error=InvalidInput(f'{label}: give exactly one of "text" and "file"')
                )
                continue
            file = (path.parent / record.file) if record.file else None
            yield Source(label, record.id, path=file, record=record)


def _extract(path: str, max_bytes: int) -> tuple[str, str]:
    """Worker: read and extract one file (a module-level function, so it pickles)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"{p.name}: cannot read ({exc.strerror})") from None
    if size > max_bytes:
        # Refuse before reading, so a huge file costs no memory.
        raise FileTooLarge(f"{p.name}: {size:,} bytes is over the limit of {max_bytes:,}")
    return extract_text(p.read_bytes(), p.name, max_bytes=max_bytes)


def _texts(
    sources: list[Source], max_bytes: int, workers: int
) -> Iterator[tuple[Source, tuple[str, str] | TalentmatchError]]:
    """(source, (text, format) or the error), in source order."""

    def direct(source: Source) -> tuple[str, str] | TalentmatchError:
        if source.path is None:
            assert source.record is not None and source.record.text is not None
            if not source.record.text.strip():
                return InvalidInput(f'{source.label}: "text" is empty')
            return source.record.text, "txt"
        try:
            return _extract(str(source.path), max_bytes)
        except TalentmatchError as exc:
            return exc

    files = [s for s in sources if s.path is not None]
    if workers <= 1 or len(files) < MIN_FILES_FOR_WORKERS:
        for source in sources:
            yield source, direct(source)
        return
    # spawn: the parent holds torch's thread pools, which do not survive fork safely.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[tuple[Source, Future[tuple[str, str]] | None]] = deque()
        queue = iter(sources)

        def fill() -> None:
            while len(pending) < LOOKAHEAD:
                source = next(queue, None)
                if source is None:
                    return
                future = (
                    pool.submit(_extract, str(source.path), max_bytes)
                    if source.path is not None
                    else None
                )
                pending.append((source, future))

        fill()
        while pending:
            source, future = pending.popleft()
            fill()
            if future is None:
                yield source, direct(source)
                continue
            try:
                yield source, future.result()
            except TalentmatchError as exc:
                yield source, exc
            except Exception as exc:  # noqa: BLE001 - a worker crash is that file's error
                yield (
                    source,
                    ParseError(f"{source.label}: could not be parsed ({type(exc).__name__})"),
                )


def ingest(
    paths: Iterable[Path],
    matcher: Matcher,
    *,
    tenant: str,
    batch_size: int = 64,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_total: Callable[[int], None] | None = None,
    on_done: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Ingest every source under ``paths``; bad ones are reported and skipped."""
    results: list[IngestResult] = []

    def report(result: IngestResult) -> None:
        results.append(result)
        if on_done is not None:
            on_done(result)

    sources: list[Source] = []
    for item in expand(paths):
        if isinstance(item, IngestResult):
            report(item)
        else:
            sources.append(item)
    if on_total is not None:
        on_total(len(sources) + len(results))
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    batch: list[tuple[Source, NewCandidate]] = []
    for source, extracted in _texts(sources, max_bytes, workers):
        if isinstance(extracted, TalentmatchError):
            report(IngestResult(source.label, error=extracted))
            continue
        text, fmt = extracted
        try:
            resume = matcher.parser.parse_resume_text(text, fmt=fmt)
        except TalentmatchError as exc:
            report(IngestResult(source.label, error=exc))
            continue
        record = source.record
        batch.append(
            (
                source,
                NewCandidate(
                    tenant=tenant,
                    external_id=source.external_id,
                    resume=resume,
                    source=record.source if record else "file",
                    file_name=source.path.name if source.path else None,
                    applications=record.applications if record else [],
                    consent=record.consent if record else Consent(),
                ),
            )
        )
        if len(batch) >= batch_size:
            for result in store_batch(matcher, batch):
                report(result)
            batch = []
    for result in store_batch(matcher, batch):
        report(result)
    return results


def store_batch(matcher: Matcher, batch: list[tuple[Source, NewCandidate]]) -> list[IngestResult]:
    saved = matcher.upsert([new for _, new in batch])
    return [
        IngestResult(source.label, candidate.id, candidate.external_id, created)
        for (source, _), (candidate, created) in zip(batch, saved, strict=True)
    ]
