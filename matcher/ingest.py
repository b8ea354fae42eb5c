"""Bulk ingest: files, folders and JSON-lines records → parsed, embedded, stored, indexed.

With more than one worker, worker processes each read, parse and embed sources from start to
end, with one encoder thread each, while this process stores and indexes their results in
batches: on two cores two such workers make about as many résumés a second as the encoder
alone can (README, "Re-indexing"), where splitting the stages between processes left one
core waiting on the other. A candidate whose text did not change since its vector was
stored is not embedded again.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from index import Store
from matcher.encoder import Encoder
from matcher.engine import Made, Matcher, profile_text
from matcher.reindex import EncoderOptions, worker_parser, worker_pool
from models import (
    Application,
    Consent,
    FileTooLarge,
    InvalidInput,
    NewCandidate,
    ParseError,
    Resume,
    TalentmatchError,
)
from parsing import DEFAULT_MAX_BYTES, DOC_SUFFIXES, Parser, extract_text

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
# Work in worker processes only when there is enough to amortise starting them.
MIN_SOURCES_FOR_WORKERS = 8
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
    """Read and extract one file."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"{p.name}: cannot read ({exc.strerror})") from None
    if size > max_bytes:
        # Refuse before reading, so a huge file costs no memory.
        raise FileTooLarge(f"{p.name}: {size:,} bytes is over the limit of {max_bytes:,}")
    return extract_text(p.read_bytes(), p.name, max_bytes=max_bytes)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A source read and parsed, with its vector when one was made ahead of storing."""

    resume: Resume
    made: Made | None = None


class Preparer:
    """Reads, parses and (when the store has no vector for the text) embeds sources: what
    each ingest worker process holds."""

    def __init__(
        self, parser: Parser, encoder: Encoder | None, store: Store | None, model: str
    ) -> None:
        self.parser, self.encoder, self.store, self.model = parser, encoder, store, model

    def run(self, source: Source, tenant: str, max_bytes: int) -> Prepared:
        if source.path is not None:
            text, fmt = _extract(str(source.path), max_bytes)
        else:
            assert source.record is not None and source.record.text is not None
            if not source.record.text.strip():
                raise InvalidInput(f'{source.label}: "text" is empty')
            text, fmt = source.record.text, "txt"
        resume = self.parser.parse_resume_text(text, fmt=fmt)
        if self.encoder is None or self.store is None:
            return Prepared(resume)
        # Whether a vector is needed is asked again when the batch is stored; asking here
        # spares the encoder the candidates whose text did not change.
        blind = self.store.blind(tenant)
        texts = [(source.external_id, resume.text)]
        if not self.store.needs_embedding(tenant, texts, self.model, blind=blind)[0]:
            return Prepared(resume)
        vector = self.encoder.encode_documents([profile_text(resume, blind=blind)])[0]
        return Prepared(resume, (vector, blind))


_worker: Preparer | None = None


def _start_worker(
    store_url: str, options: EncoderOptions, model: str, threads: int, parser_cache: str
) -> None:
    global _worker
    _worker = Preparer(worker_parser(parser_cache), options.load(threads), Store(store_url), model)


def _prepare_in_worker(source: Source, tenant: str, max_bytes: int) -> Prepared:
    assert _worker is not None, "the ingest worker process was not started"
    return _worker.run(source, tenant, max_bytes)


def _prepared(
    sources: list[Source],
    matcher: Matcher,
    tenant: str,
    max_bytes: int,
    workers: int,
    options: EncoderOptions | None,
) -> Iterator[tuple[Source, Prepared | TalentmatchError]]:
    """(source, what was made of it or the error), in source order."""
    if workers <= 1 or len(sources) < MIN_SOURCES_FOR_WORKERS:
        # Here the batch is embedded when it is stored, on all of this process's threads.
        here = Preparer(matcher.parser, None, None, matcher.pool.model)
        for source in sources:
            try:
                yield source, here.run(source, tenant, max_bytes)
            except TalentmatchError as exc:
                yield source, exc
        return
    options = options or EncoderOptions.of(matcher.encoder, None, None)
    with worker_pool(
        workers,
        _start_worker,
        matcher.pool.store.url,
        options,
        matcher.pool.model,
        str(matcher.parser.cache_dir),
    ) as pool:
        pending: deque[tuple[Source, Future[Prepared]]] = deque()
        queue = iter(sources)

        def fill() -> None:
            while len(pending) < LOOKAHEAD:
                source = next(queue, None)
                if source is None:
                    return
                future = pool.submit(_prepare_in_worker, source, tenant, max_bytes)
                pending.append((source, future))

        fill()
        while pending:
            source, future = pending.popleft()
            fill()
            try:
                yield source, future.result()
            except TalentmatchError as exc:
                yield source, exc
            except Exception as exc:  # noqa: BLE001 - a worker's failure is that source's error
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
    encoder_options: EncoderOptions | None = None,
    on_total: Callable[[int], None] | None = None,
    on_done: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Ingest every source under ``paths``; bad ones are reported and skipped.

    With ``workers`` > 1 (and enough sources), that many worker processes read, parse and
    embed, one encoder thread each, loading the encoder ``encoder_options`` names (by
    default the matcher's as published); this process stores and indexes what they make.
    """
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
    made: list[Made | None] = []
    for source, prepared in _prepared(
        sources, matcher, tenant, max_bytes, workers, encoder_options
    ):
        if isinstance(prepared, TalentmatchError):
            report(IngestResult(source.label, error=prepared))
            continue
        record = source.record
        batch.append(
            (
                source,
                NewCandidate(
                    tenant=tenant,
                    external_id=source.external_id,
                    resume=prepared.resume,
                    source=record.source if record else "file",
                    file_name=source.path.name if source.path else None,
                    applications=record.applications if record else [],
                    consent=record.consent if record else Consent(),
                ),
            )
        )
        made.append(prepared.made)
        if len(batch) >= batch_size:
            for result in store_batch(matcher, batch, made):
                report(result)
            batch, made = [], []
    for result in store_batch(matcher, batch, made):
        report(result)
    return results


def store_batch(
    matcher: Matcher,
    batch: list[tuple[Source, NewCandidate]],
    made: Sequence[Made | None] | None = None,
) -> list[IngestResult]:
    """Store a batch of parsed sources, with the vectors made ahead of it, if any."""
    saved = matcher.upsert([new for _, new in batch], made)
    return [
        IngestResult(source.label, candidate.id, candidate.external_id, created)
        for (source, _), (candidate, created) in zip(batch, saved, strict=True)
    ]
