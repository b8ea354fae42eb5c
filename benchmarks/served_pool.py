"""The whole match at scale, as a CRM sees it: a served pool of N candidates over HTTP.

Used by ``benchmarks/search.py`` for its largest pool. The pool is the same synthetic one as
the vector benchmark's (vectors, tenants, consent, retention), now with a résumé behind each
vector: the parsed résumé of the anchor it is mostly made of, with the last third of the
other anchor's lines (and skills) mixed in, so that BM25, skills and titles have real text to
read. It is bulk-loaded into a SQLite store (:meth:`index.Store.add_new`; about 20 GB and a
quarter of an hour at a million, so the loaded home is kept under ~/.cache/talentmatch and
reused by later runs), then ``talentmatch serve`` opens it as it would any home: at its first
start it builds the inverted file and the BM25 index from the store, later starts open them
(both timed), and it answers over loopback.

Measured from the client, as the CRM would wait: match latency with job descriptions the
service has not seen (72 ESCO occupations, each call made distinct, so parse and embedding run
every time); with one it has, asked again (the shortlist kept from the first time); with one
it has after a write to the pool (its parse and vector cached, the shortlist computed
afresh); matches a second from four concurrent clients; adding one candidate over the API and
erasing it (a résumé written from a job, found at the top of that job's match, then gone from
the next one); and the service's memory (resident set, now and at its peak).

The skill-label index (``TALENTMATCH_WARM_SKILL_INDEX``) is not warmed: it is embedded once
per model and taxonomy, then cached, and on a fresh cache it would embed in the background
through the whole run, competing with the matches measured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.pipeline import percentile
from index import Store
from models import Consent, NewCandidate, Resume
from parsing import Parser

ROOT = Path(__file__).resolve().parent.parent
LOAD_BATCH = 10_000


def parsed_resumes(texts: dict[str, tuple[str, str]], cache: Path) -> list[Resume]:
    """The résumés parsed, in external-id order, cached by their texts and the parser's data."""
    data = sorted((ROOT / "parsing" / "data").iterdir())
    key = hashlib.sha256(
        json.dumps(sorted(texts.items())).encode()
        + b"".join(hashlib.sha256(p.read_bytes()).digest() for p in data if p.is_file())
    ).hexdigest()[:16]
    path = cache / f"parsed-{key}.json"
    if path.exists():
        return [Resume.model_validate(r) for r in json.loads(path.read_text())]
    parser = Parser()
    parsed = [parser.parse_resume_text(text, fmt=fmt) for text, fmt in texts.values()]
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([r.model_dump(mode="json") for r in parsed]))
    return parsed


def mixture(first: Resume, second: Resume) -> Resume:
    """``first`` with the last third of ``second``'s lines and the skills found in them."""
    lines = second.text.splitlines(keepends=True)
    cut = sum(len(line) for line in lines[: len(lines) * 2 // 3])
    shift = len(first.text) + 1 - cut  # where second's tail lands in the mixture
    extra = [
        m.model_copy(update={"start": m.start + shift, "end": m.end + shift})
        for m in second.skills
        if m.start >= cut
    ]
    return first.model_copy(
        update={"text": f"{first.text}\n{second.text[cut:]}", "skills": first.skills + extra}
    )


def load(
    store: Store,
    model: str,
    parsed: list[Resume],
    vectors: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray],
    meta: tuple[np.ndarray, np.ndarray, np.ndarray],
    tenants: list[str],
    today: dt.date,
) -> None:
    """Candidates 1..n into ``store``: résumé, vector, tenant, consent, retention."""
    first, second = sources
    tenant, contact, expired = meta
    mixed: dict[tuple[int, int], Resume] = {}
    for start in range(0, len(vectors), LOAD_BATCH):
        records = []
        for i in range(start, min(start + LOAD_BATCH, len(vectors))):
            pair = (int(first[i]), int(second[i]))
            if pair not in mixed:
                mixed[pair] = mixture(parsed[pair[0]], parsed[pair[1]])
            consent = Consent(
                may_contact=bool(contact[i]),
                retention_until=today - dt.timedelta(days=1) if expired[i] else None,
            )
            new = NewCandidate(
                tenant=tenants[tenant[i]],
                external_id=f"c{i + 1}",
                resume=mixed[pair],
                consent=consent,
            )
            records.append((new, vectors[i]))
        ids = store.add_new(records, model)
        assert ids[0] == start + 1, "the pool must be loaded into an empty store"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _memory_mb(pid: int) -> dict[str, int]:
    """A process's resident set, its peak, and the resident set's two parts in MB: memory of
    its own (anonymous) and pages of files it maps (the inverted file, the BM25 segments),
    which the kernel may drop and share with other processes."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    names = {"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb", "RssAnon": "rss_anon_mb"}
    names |= {"RssFile": "rss_file_mb"}
    return {name: round(int(fields[f].split()[0]) / 1024) for f, name in names.items()}


def serve(
    env: dict[str, str], cwd: Path, key: str, port: int
) -> tuple[subprocess.Popen[bytes], httpx.Client]:
    """``talentmatch serve`` started with ``env``, once it is ready, and a client calling it
    with ``key``."""
    talentmatch = Path(sys.executable).parent / "talentmatch"
    server = subprocess.Popen([str(talentmatch), "serve"], env=env, cwd=cwd)
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=120,
    )
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"talentmatch serve exited with {server.returncode}")
        try:
            if client.get("/readyz").status_code == 200:
                return server, client
        except httpx.TransportError:
            pass
        time.sleep(0.5)


def measure_match(
    n: int,
    parsed: list[Resume],
    vectors: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray],
    meta: tuple[np.ndarray, np.ndarray, np.ndarray],
    tenants: list[str],
    jobs: dict[str, str],
    *,
    model: str,
    calls: int,
    cache_dir: Path,
    home: Path,
) -> dict[str, Any]:
    """Serve the pool from ``home`` (loaded there first unless a finished load is there)."""
    today = dt.date.today()
    server: subprocess.Popen[bytes] | None = None
    loaded = home / "loaded.json"
    load_s: float | None = None
    if not loaded.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        store = Store(f"sqlite:///{home / 'talentmatch.db'}")
        started = time.perf_counter()
        load(store, model, parsed, vectors, sources, meta, tenants, today)
        load_s = time.perf_counter() - started
        store.close()
        loaded.write_text(json.dumps({"pool": n, "load_s": round(load_s, 1)}))
    store = Store(f"sqlite:///{home / 'talentmatch.db'}")
    key = store.create_key(tenants[0])
    first_start = not (home / "index" / "manifest.json").exists()
    store.close()
    try:
        port = free_port()
        env = os.environ | {
            "TALENTMATCH_HOME": str(home),
            "TALENTMATCH_PORT": str(port),
            "TALENTMATCH_CACHE_DIR": str(cache_dir),
            "TALENTMATCH_LOG_LEVEL": "WARNING",
            "HF_HUB_OFFLINE": "1",
            "TALENTMATCH_WARM_SKILL_INDEX": "false",
        }
        started = time.perf_counter()
        server, client = serve(env, home, key, port)
        start_s = time.perf_counter() - started

        texts = [jobs[label] for label in sorted(jobs)]

        def match(text: str, top_k: int = 10) -> tuple[float, dict[str, Any]]:
            begun = time.perf_counter()
            response = client.post("/v1/match", json={"job": {"text": text}, "top_k": top_k})
            elapsed = (time.perf_counter() - begun) * 1000
            response.raise_for_status()
            return elapsed, response.json()

        for text in texts[:3]:
            match(text)  # warm up: first calls load lazily what a process keeps
        uncached = [match(f"{texts[i % len(texts)]}\nReference {i}.")[0] for i in range(calls)]
        cached = [match(texts[0])[0] for _ in range(calls)]
        with ThreadPoolExecutor(4) as workers:
            begun = time.perf_counter()
            list(workers.map(lambda i: match(texts[i % 8]), range(200)))
            match_qps = 200 / (time.perf_counter() - begun)

        # 20 times: add a résumé written from a job, find it in that job's top 10, erase it,
        # and it must be gone from the job's next match (the pool is as it was after). That
        # next match is the same request after a write: the job's parse and vector are
        # cached, the shortlist is computed again.
        adds, deletes, after_write, found, invisible = [], [], [], 0, True
        for i, text in enumerate(texts[10:30]):
            begun = time.perf_counter()
            created = client.post(
                "/v1/candidates",
                json={"external_id": f"probe-{i}", "text": f"{text}\nProbe résumé {i}."},
            )
            adds.append((time.perf_counter() - begun) * 1000)
            created.raise_for_status()
            probe = created.json()["candidate_id"]
            found += probe in [m["candidate_id"] for m in match(text)[1]["results"]]
            begun = time.perf_counter()
            client.delete(f"/v1/candidates/{probe}").raise_for_status()
            deletes.append((time.perf_counter() - begun) * 1000)
            elapsed, again = match(text)
            after_write.append(elapsed)
            after = match(text, top_k=200)[1]["results"]
            invisible &= probe not in [m["candidate_id"] for m in again["results"] + after]
        memory = _memory_mb(server.pid)
        return {
            "load_s": load_s and round(load_s, 1),
            "service_start_s": round(start_s, 1),
            "first_start": first_start,
            "match_p50_ms": round(percentile(uncached, 50), 1),
            "match_p99_ms": round(percentile(uncached, 99), 1),
            "match_cached_p50_ms": round(percentile(cached, 50), 1),
            "match_cached_p99_ms": round(percentile(cached, 99), 1),
            "match_after_write_p50_ms": round(percentile(after_write, 50), 1),
            "match_after_write_p99_ms": round(percentile(after_write, 99), 1),
            "match_qps": round(match_qps, 1),
            "api_add_ms": round(statistics.median(adds), 1),
            "added_found_in_top_10": f"{found}/{len(adds)}",
            "api_delete_ms": round(statistics.median(deletes), 1),
            "api_delete_max_ms": round(max(deletes), 1),
            "erased_invisible": invisible,
            **memory,
            "disk_mb": round(sum(p.stat().st_size for p in home.rglob("*") if p.is_file()) / 2**20),
        }
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
