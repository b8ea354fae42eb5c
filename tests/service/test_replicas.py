"""`talentmatch serve --workers 2`: two processes on one port, each with the pool in memory.
A write through either one, or through a command beside them, is found by every match that
follows, whichever process answers it; an erasure through either is never returned again."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.documents import demo_records
from tests.service.test_crash import call, environment
from tests.service.test_fuzz import BIN, create_key, free_port


def wait_all_ready(url: str, server: subprocess.Popen[bytes], seconds: float = 600) -> None:
    """Until both workers have answered /readyz (each call on a new connection). A worker
    takes no connection before its pool is loaded, so none answers 503 meanwhile."""
    deadline, ready = time.monotonic() + seconds, set()
    while len(ready) < 2:
        assert time.monotonic() < deadline, "the workers never became ready"
        assert server.poll() is None, "the server exited while loading"
        try:
            status, body = call(f"{url}/readyz")
        except OSError:
            status, body = 0, None
        assert status in (0, 200), body  # no worker answers before it is ready
        if status == 200:
            ready.add(body["worker"])
        time.sleep(0.05)


@pytest.mark.slow
def test_workers_and_a_command_follow_each_others_writes(
    tmp_path: Path, shared_cache: Path
) -> None:
    home = tmp_path / "home"
    env = environment(home) | {
        "TALENTMATCH_LOG_LEVEL": "INFO",
        "TALENTMATCH_CACHE_DIR": str(shared_cache),
    }
    key = create_key(env, "rep")
    records = demo_records(limit=8)
    beside = tmp_path / "beside.jsonl"
    beside.write_text("".join(json.dumps(r) + "\n" for r in records[6:]))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(BIN / "talentmatch"), "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=sink,
        )
    try:
        wait_all_ready(url, server)
        ids = {}
        for r in records[:6]:  # each lands on either worker
            status, body = call(
                f"{url}/v1/candidates", "POST", {"external_id": r["id"], "text": r["text"]}, key
            )
            assert status == 201, body
            ids[r["id"]] = body["candidate_id"]
        subprocess.run(
            [str(BIN / "talentmatch"), "ingest", str(beside), "--tenant", "rep"],
            env=env,
            check=True,
            capture_output=True,
        )
        for r in records:
            for _ in range(3):
                status, body = call(f"{url}/v1/match", "POST", {"job": {"text": r["text"]}}, key)
                assert status == 200, body
                assert body["results"][0]["external_id"] == r["id"]
                assert body["pool_size"] == len(records)

        erased = str(records[2]["id"])
        status, _ = call(f"{url}/v1/candidates/{ids[erased]}", "DELETE", key=key)
        assert status == 204
        for _ in range(12):
            status, body = call(
                f"{url}/v1/match", "POST", {"job": {"text": records[2]["text"]}}, key
            )
            assert status == 200
            assert erased not in [r["external_id"] for r in body["results"]]
            assert body["pool_size"] == len(records) - 1

        with urllib.request.urlopen(f"{url}/metrics") as response:
            metrics = response.read().decode()
        # Counted by both workers, added up whichever answers the scrape.
        served = [
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("talentmatch_http_requests_total{")
            and 'route="/v1/match"' in line
            and 'status="200"' in line
        ]
        assert sum(served) == 3 * len(records) + 12
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    answered = {e["pid"] for e in lines if e.get("route") == "/v1/match"}
    assert len(answered) == 2, "one worker answered every match"
