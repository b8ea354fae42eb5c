"""Re-index the pool: re-extract skills with the current taxonomy, re-embed what the
current encoder has no vector for (or whose text changed), and rebuild the vector index.

The pool is cut into parts of consecutive candidate ids. A part is re-parsed and embedded by
a worker: in this process (one worker), in worker processes (``workers`` > 1), or by Ray Data
actors on a Ray cluster (``ray_address``). Each worker reads its part from the store itself,
so only ids travel to it; what comes back (changed résumés, new vectors) is written to the
store here, one part per transaction. A journal names the parts whose results are stored, so
a run killed half-way resumes at the first part it had not finished.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index import Store, text_sha
from matcher.encoder import Encoder, Vectors
from matcher.engine import Matcher, profile_text
from models import InvalidInput, Resume
from parsing import Parser, Taxonomy

# Candidate ids per part: a few seconds of embedding for one worker, so a crash loses
# little and workers finish together; the cost of a part (two queries, one transaction, a
# line in the journal) is small beside that.
PART_SIZE = 64


@dataclass(frozen=True, slots=True)
class ReindexReport:
    candidates: int
    reparsed: int
    embedded: int
    indexed: int
    resumed: int = 0  # candidates in parts a killed run had finished, not done again


@dataclass(frozen=True, slots=True)
class Redone:
    """A part's outcome: résumés that read differently now, and the new vectors."""

    lo: int
    hi: int
    seen: int
    resumes: list[tuple[int, Resume]]
    vectors: list[tuple[int, str, Vectors]]
    # tenant → whether its vectors here were made from the blind representation
    blind: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EncoderOptions:
    """What a worker needs to load the same encoder as the pool's."""

    model_path: str | None
    name: str
    windows: int
    precision: str
    cache_dir: str | None
    batch_size: int

    @staticmethod
    def of(encoder: Encoder, model_path: Path | None, cache_dir: Path | None) -> EncoderOptions:
        return EncoderOptions(
            str(model_path) if model_path else None,
            encoder.name,
            encoder.windows,
            encoder.precision,
            str(cache_dir) if cache_dir else None,
            encoder.batch_size,
        )

    def load(self, threads: int | None) -> Encoder:
        return Encoder(
            Path(self.model_path) if self.model_path else None,
            name=self.name,
            windows=self.windows,
            precision=self.precision,
            cache_dir=Path(self.cache_dir) if self.cache_dir else None,
            batch_size=self.batch_size,
            threads=threads,
        )


class Worker:
    """Re-parses and embeds parts of the pool; what each process or Ray actor holds."""

    def __init__(self, store: Store, parser: Parser, encoder: Encoder, model: str) -> None:
        self.store, self.parser, self.encoder, self.model = store, parser, encoder, model

    def run(self, lo: int, hi: int) -> Redone:
        candidates = self.store.candidates_between(lo, hi)
        # Read before the vectors are made: they are stored as made from these settings.
        settings = self.store.blind_settings()
        blind = {c.tenant: settings.get(c.tenant, True) for c in candidates}
        missing = set(self.store.ids_without_embedding(self.model, lo, hi))
        resumes: list[tuple[int, Resume]] = []
        todo: list[tuple[int, str, str]] = []  # id, résumé text, what is embedded of it
        for candidate in candidates:
            old = candidate.resume
            fresh = self.parser.parse_resume_text(old.text, fmt=old.format)
            if fresh != old:
                resumes.append((candidate.id, fresh))
            mine = blind[candidate.tenant]
            profile = profile_text(fresh, blind=mine)
            if candidate.id in missing or profile != profile_text(old, blind=mine):
                todo.append((candidate.id, fresh.text, profile))
        vectors: list[tuple[int, str, Vectors]] = []
        if todo:
            made = self.encoder.encode_documents([profile for _, _, profile in todo])
            vectors = [(i, text_sha(t), v) for (i, t, _), v in zip(todo, made, strict=True)]
        return Redone(lo, hi, len(candidates), resumes, vectors, blind)


# -- local worker processes ---------------------------------------------------------------
_process_worker: Worker | None = None


def worker_parser(cache_dir: str) -> Parser:
    """A worker's parser, loading what the main process's parser keeps in ``cache_dir``."""
    return Parser(cache_dir=Path(cache_dir))


def worker_pool(
    workers: int,
    start: Callable[[str, EncoderOptions, str, int, str], None],
    store_url: str,
    options: EncoderOptions,
    model: str,
    parser_cache: str,
) -> ProcessPoolExecutor:
    """``workers`` processes, each started by ``start`` with its share of the cores as
    encoder threads (re-index and ingest workers)."""
    import multiprocessing

    threads = max(1, (os.cpu_count() or 1) // workers)
    # spawn: the parent holds the encoder's thread pools, which do not survive fork safely.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=start,
        initargs=(store_url, options, model, threads, parser_cache),
    )


def _start_process(
    store_url: str, options: EncoderOptions, model: str, threads: int, parser_cache: str
) -> None:
    global _process_worker
    _process_worker = Worker(
        Store(store_url), worker_parser(parser_cache), options.load(threads), model
    )


def _run_in_process(lo: int, hi: int) -> Redone:
    assert _process_worker is not None, "the worker process was not started"
    return _process_worker.run(lo, hi)


def _in_processes(
    parts: list[tuple[int, int]],
    store_url: str,
    options: EncoderOptions,
    model: str,
    workers: int,
    parser_cache: str,
) -> Iterator[Redone]:
    with worker_pool(workers, _start_process, store_url, options, model, parser_cache) as pool:
        pending: deque[Future[Redone]] = deque()
        queue = iter(parts)
        while True:
            while len(pending) < 2 * workers:
                part = next(queue, None)
                if part is None:
                    break
                pending.append(pool.submit(_run_in_process, *part))
            if not pending:
                return
            yield pending.popleft().result()


# -- Ray Data -----------------------------------------------------------------------------
class _RayWorker:
    """A Ray Data actor: one Worker, loaded once, fed batches of parts."""

    def __init__(
        self,
        store_url: str,
        options: EncoderOptions,
        model: str,
        threads: int,
        parser_cache: str,
    ):
        parser = worker_parser(parser_cache)
        self.worker = Worker(Store(store_url), parser, options.load(threads), model)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, list[Any]] = {"redone": []}
        for lo, hi in zip(batch["lo"], batch["hi"], strict=True):
            out["redone"].append(_to_json(self.worker.run(int(lo), int(hi))))
        return {"redone": np.array(out["redone"], dtype=object)}


def _to_json(redone: Redone) -> str:
    """A part's outcome as text, the form that travels through Ray's object store."""
    return json.dumps(
        {
            "lo": redone.lo,
            "hi": redone.hi,
            "seen": redone.seen,
            "resumes": [[i, r.model_dump(mode="json")] for i, r in redone.resumes],
            "vectors": [[i, sha, v.tolist()] for i, sha, v in redone.vectors],
            "blind": redone.blind,
        }
    )


def _from_json(text: str) -> Redone:
    data = json.loads(text)
    return Redone(
        data["lo"],
        data["hi"],
        data["seen"],
        [(i, Resume.model_validate(r)) for i, r in data["resumes"]],
        [(i, sha, np.asarray(v, dtype=np.float32)) for i, sha, v in data["vectors"]],
        data["blind"],
    )


def _on_ray(
    parts: list[tuple[int, int]],
    store_url: str,
    options: EncoderOptions,
    model: str,
    workers: int,
    address: str,
    parser_cache: str,
) -> Iterator[Redone]:
    try:
        import ray
    except ImportError:
        raise InvalidInput(
            "re-indexing on Ray needs the ray package: pip install 'talentmatch[ray]'"
        ) from None
    try:
        # "local" starts a cluster of this machine's cores for the run (Ray's address None).
        ray.init(
            address=None if address == "local" else address,
            ignore_reinit_error=True,
            log_to_driver=False,
            include_dashboard=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InvalidInput(f"cannot join the Ray cluster at {address!r}: {exc}") from None
    # Our progress bar says how far the run is; Ray Data's own bars and logs would interleave.
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        dataset = ray.data.from_items([{"lo": lo, "hi": hi} for lo, hi in parts])
        redone = dataset.map_batches(
            _RayWorker,
            fn_constructor_kwargs={
                "store_url": store_url,
                "options": options,
                "model": model,
                "threads": 1,
                "parser_cache": parser_cache,
            },
            batch_size=1,
            concurrency=workers,
            num_cpus=1,
        )
        for row in redone.iter_rows():
            yield _from_json(row["redone"])
    finally:
        ray.shutdown()


# -- the run ------------------------------------------------------------------------------
def journal_key(model: str, taxonomy: Taxonomy) -> str:
    """What a journal's finished parts were made with: the model, and the taxonomy by its
    version and its content's digest (a taxonomy rebuilt from the same ESCO and O*NET
    releases keeps its version, and re-parses differently)."""
    return f"{model} {taxonomy.version} {taxonomy.digest}"


class Journal:
    """Parts whose results are in the store, for the run of one encoder and taxonomy; a
    run for another (a new model, a new taxonomy) starts over."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.done: set[tuple[int, int]] = set()
        if path.exists():
            lines = path.read_text().splitlines()
            if lines and lines[0] == fingerprint:
                for line in lines[1:]:
                    lo, _, hi = line.partition(" ")
                    if hi.isdigit() and lo.isdigit():
                        self.done.add((int(lo), int(hi)))
            else:
                path.unlink()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fingerprint + "\n")

    def finished(self, lo: int, hi: int) -> None:
        with self.path.open("a") as fh:
            fh.write(f"{lo} {hi}\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.done.add((lo, hi))

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def parts_of(store: Store, size: int = PART_SIZE) -> list[tuple[int, int]]:
    """[lo, hi) ranges of candidate ids that cover the pool, ``size`` ids each."""
    low, high = store.id_range()
    if high < low:
        return []
    return [(lo, min(lo + size, high + 1)) for lo in range(low, high + 1, size)]


def reindex(
    matcher: Matcher,
    *,
    workers: int = 1,
    ray_address: str | None = None,
    journal: Path | None = None,
    encoder_options: EncoderOptions | None = None,
    part_size: int = PART_SIZE,
    on_total: Callable[[int], None] | None = None,
    on_advance: Callable[[int], None] | None = None,
) -> ReindexReport:
    """Re-parse and re-embed the pool, then rebuild its vector index.

    ``workers`` > 1 runs the parts in that many local processes, each loading its own
    parser and encoder (``encoder_options``: by default the matcher's encoder as
    published); ``ray_address`` runs them as Ray Data actors on that cluster instead
    ("auto" finds a running one, "local" starts one here). ``journal`` names the file that
    records finished parts, so a killed run resumes where it stopped.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    store, pool = matcher.pool.store, matcher.pool
    model = pool.model
    log = None if journal is None else Journal(journal, journal_key(model, matcher.parser.taxonomy))
    parts = parts_of(store, part_size)
    done = log.done if log is not None else set()
    todo = [p for p in parts if p not in done]
    total = store.count()
    resumed = store.count_between(list(done)) if done else 0
    if on_total is not None:
        on_total(total)
    if on_advance is not None and resumed:
        on_advance(resumed)
    options = encoder_options or EncoderOptions.of(matcher.encoder, None, None)
    parser_cache = str(matcher.parser.cache_dir)
    results: Iterable[Redone]
    if ray_address is not None:
        results = _on_ray(todo, store.url, options, model, workers, ray_address, parser_cache)
    elif workers > 1 and len(todo) > 1:
        results = _in_processes(todo, store.url, options, model, workers, parser_cache)
    else:
        here = Worker(store, matcher.parser, matcher.encoder, model)
        results = (here.run(lo, hi) for lo, hi in todo)
    seen = reparsed = embedded = 0
    for redone in results:
        store.save_reindexed(model, redone.resumes, redone.vectors, redone.blind)
        if log is not None:
            log.finished(redone.lo, redone.hi)
        seen += redone.seen
        reparsed += len(redone.resumes)
        embedded += len(redone.vectors)
        if on_advance is not None:
            on_advance(redone.seen)
    indexed = pool.rebuild()
    if log is not None:
        log.close()
    return ReindexReport(seen + resumed, reparsed, embedded, indexed, resumed)
