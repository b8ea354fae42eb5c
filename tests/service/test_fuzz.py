"""Schemathesis against the served OpenAPI schema: a real `talentmatch serve` process on
loopback, fuzzed through every operation (examples, coverage, fuzzing and stateful phases),
must answer no 5xx and nothing its schema does not describe."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.documents import demo_records

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
BIN = Path(sys.executable).parent


def create_key(env: dict[str, str], tenant: str, *, admin: bool = False) -> str:
    """A new API key of ``tenant`` from the installed ``talentmatch keys create``."""
    command = [str(BIN / "talentmatch"), "keys", "create", "--tenant", tenant]
    return subprocess.run(
        command + ["--admin"] * admin, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited while loading"
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("the server never became ready")


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    tmp_path: Path, shared_cache: Path
) -> None:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TALENTMATCH_HOME": str(tmp_path / "home"),
        "TALENTMATCH_CACHE_DIR": str(shared_cache),  # the skill-label index, if built
        "TALENTMATCH_LOG_LEVEL": "WARNING",
    }
    key = create_key(env, "fuzz", admin=True)
    pool = tmp_path / "pool.jsonl"
    pool.write_text(
        "".join(
            json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in demo_records(limit=5)
        )
    )
    subprocess.run(
        [str(BIN / "talentmatch"), "ingest", str(pool), "--tenant", "fuzz"],
        env=env,
        capture_output=True,
        check=True,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(BIN / "talentmatch"), "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=sink,
        )
        try:
            wait_ready(url, server)
            fuzz = subprocess.run(
                [
                    str(BIN / "schemathesis"),
                    "run",
                    f"{url}/openapi.json",
                    "--header",
                    f"Authorization: Bearer {key}",
                    "--checks",
                    CHECKS,
                    "--max-examples",
                    "8",
                    "--seed",
                    "1",
                    "--request-timeout",
                    "180",
                    "--no-color",
                ],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=1200,
            )
        finally:
            server.terminate()
            server.wait(60)
    # Kept for reading after the run (test-artifacts/ is not committed).
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "schemathesis.txt").write_text(fuzz.stdout)
    summary = fuzz.stdout[-4000:]
    assert fuzz.returncode == 0, summary
    assert "No issues found" in summary or " passed" in summary, summary
    errors = [line for line in log.read_text().splitlines() if '"level": "ERROR"' in line]
    assert errors == [], errors[:3]
