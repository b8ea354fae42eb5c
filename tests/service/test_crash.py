"""Crashes: the service is killed (SIGKILL) in the middle of a bulk ingest over HTTP, and a
re-index in the middle of its work. After a restart the store and the index agree, nothing
is duplicated, and nothing acknowledged is lost."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from index import Store
from matcher import Encoder
from service import Runtime, Settings
from tests.documents import demo_records
from tests.service.test_fuzz import BIN, create_key, free_port, wait_ready

OLD_KEY = "sentence-transformers/all-MiniLM-L6-v2+int8"
NEW_KEY = "sentence-transformers/all-MiniLM-L6-v2+int8+2w"


def call(url: str, method: str = "GET", body: object = None, key: str = "") -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TALENTMATCH_HOME": str(home),
        "TALENTMATCH_WARM_SKILL_INDEX": "false",
        "TALENTMATCH_LOG_LEVEL": "WARNING",
    }


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [str(BIN / "talentmatch"), "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=sink,
        )


def assert_store_and_index_agree(home: Path, encoder: Encoder) -> set[str]:
    """Open the pool as a restarted service would; return the external ids stored."""
    settings = Settings(home=home, warm_skill_index=False)
    runtime = Runtime.open(settings, encoder=encoder)
    try:
        stored = list(runtime.store.iter_candidates("crash"))
        ids = {c.id for c in stored}
        assert set(runtime.matcher.pool.vectors.ids()) == ids
        externals = [c.external_id for c in stored]
        assert len(externals) == len(set(externals)), "a candidate was stored twice"
        return set(externals)
    finally:
        runtime.close()


@pytest.mark.slow
def test_killed_during_a_bulk_ingest_loses_nothing_acknowledged(
    tmp_path: Path, encoder: Encoder
) -> None:
    home = tmp_path / "home"
    env = environment(home)
    key = create_key(env, "crash")
    records = demo_records(limit=24)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = serve(env, port, log)
    acknowledged: list[str] = []
    stop = threading.Event()

    def ingest() -> None:
        for r in records:
            if stop.is_set():
                return
            try:
                status, _ = call(
                    f"{url}/v1/candidates",
                    "POST",
                    {"external_id": r["id"], "text": r["text"]},
                    key,
                )
            except (OSError, http.client.HTTPException):
                # The server is gone, before answering or while it wrote the answer
                # (IncompleteRead): this one was not acknowledged.
                return
            if status in (200, 201):
                acknowledged.append(str(r["id"]))

    try:
        wait_ready(url, server)
        writers = [threading.Thread(target=ingest) for _ in range(1)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + 600
        while len(acknowledged) < 8:
            assert time.monotonic() < deadline and writers[0].is_alive()
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(60)
        stop.set()
        for w in writers:
            w.join(120)
    finally:
        if server.poll() is None:
            server.kill()
    assert 8 <= len(acknowledged) < len(records)

    stored = assert_store_and_index_agree(home, encoder)
    assert set(acknowledged) <= stored
    # Restarted, the service answers for every acknowledged candidate, and finds each one
    # by its own résumé; sending the whole batch again creates only the missing ones.
    server = serve(env, port, log)
    try:
        wait_ready(url, server)
        texts = {str(r["id"]): str(r["text"]) for r in records}
        for ext in acknowledged[:5]:
            status, body = call(f"{url}/v1/match", "POST", {"job": {"text": texts[ext]}}, key)
            assert status == 200 and body["results"][0]["external_id"] == ext
        created = 0
        for r in records:
            status, _ = call(
                f"{url}/v1/candidates", "POST", {"external_id": r["id"], "text": r["text"]}, key
            )
            assert status in (200, 201)
            created += status == 201
        assert created == len(records) - len(stored)
        status, ready = call(f"{url}/readyz")
        assert ready["candidates"] == len(records) == ready["index"]["count"]
    finally:
        server.terminate()
        server.wait(60)
    assert assert_store_and_index_agree(home, encoder) == set(texts)


@pytest.mark.slow
def test_killed_during_a_reindex_keeps_the_old_index_and_a_rerun_completes(
    tmp_path: Path, encoder: Encoder
) -> None:
    home = tmp_path / "home"
    env = environment(home)
    pool = tmp_path / "pool.jsonl"
    records = demo_records(limit=80)  # five parts of the re-index
    pool.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in records))
    subprocess.run(
        [str(BIN / "talentmatch"), "ingest", str(pool), "--tenant", "crash"],
        env=env,
        capture_output=True,
        check=True,
    )
    before = assert_store_and_index_agree(home, encoder)
    # A new window count: every vector must be made again, which takes a while.
    changed = {**env, "TALENTMATCH_DOCUMENT_WINDOWS": "2"}
    reindex = subprocess.Popen(
        [str(BIN / "talentmatch"), "reindex", "--part-size", "16"],
        env=changed,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = Store(Settings(home=home).store_url)
    try:

        def missing() -> list[int]:
            return store.ids_without_embedding(NEW_KEY)

        # Kill it once it has stored its first batch of new vectors, before it finishes.
        deadline = time.monotonic() + 600
        while len(missing()) == len(records):
            assert reindex.poll() is None, "the re-index ended before storing anything"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(reindex.pid, signal.SIGKILL)
        reindex.wait(60)
        left = missing()
        assert 0 < len(left) < len(records)
    finally:
        store.close()
    # The service with the old settings still opens on the old index, whole.
    assert assert_store_and_index_agree(home, encoder) == before
    # Run again with the new settings, it embeds only what is missing and completes.
    done = subprocess.run(
        [str(BIN / "talentmatch"), "reindex", "--part-size", "16"],
        env=changed,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    # It starts at the first part the killed run had not finished (all of them, if it was
    # killed between storing its first part and noting it), and embeds what is missing.
    summary = re.search(
        r"(\d+) candidates(?: \((\d+) done by an earlier, interrupted run\))?: "
        r"0 re-parsed, (\d+) embedded",
        done.stderr,
    )
    assert summary is not None, done.stderr
    total, embedded = int(summary[1]), int(summary[3])
    resumed = int(summary[2] or 0)
    assert (total, embedded) == (len(records), len(left))
    assert resumed <= len(records) - len(left) and resumed % 16 == 0
    store = Store(Settings(home=home).store_url)
    try:
        assert store.ids_without_embedding(NEW_KEY) == []
        # Only now are the old model's vectors dropped.
        assert len(store.embeddings(OLD_KEY, 384)[0]) == 0
        assert store.count("crash") == len(records)
    finally:
        store.close()
