"""Matches stay correct while ingests and deletes run: a served process on loopback, one
thread adding candidates, one erasing others, two asking for shortlists all the while."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.documents import demo_records
from tests.service.test_crash import call, environment, serve
from tests.service.test_fuzz import create_key, free_port, wait_ready


@pytest.mark.slow
def test_matches_stay_correct_while_writes_and_erasures_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = environment(home)
    key = create_key(env, "crash")
    records = [(str(r["id"]), str(r["text"])) for r in demo_records(limit=40)]
    stable, doomed, incoming = records[:8], records[8:18], records[18:]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = serve(env, port, tmp_path / "serve.log")
    try:
        wait_ready(url, server)
        ids: dict[str, int] = {}
        for ext, text in stable + doomed:
            status, body = call(
                f"{url}/v1/candidates", "POST", {"external_id": ext, "text": text}, key
            )
            assert status == 201
            ids[ext] = body["candidate_id"]

        # External ids whose DELETE has been answered.
        erased: set[str] = set()
        lock = threading.Lock()
        problems: list[str] = []
        writers_done = threading.Event()

        def add() -> None:
            for ext, text in incoming:
                status, _ = call(
                    f"{url}/v1/candidates", "POST", {"external_id": ext, "text": text}, key
                )
                if status != 201:
                    problems.append(f"create {ext}: {status}")

        def erase() -> None:
            for ext, _ in doomed:
                status, _ = call(f"{url}/v1/candidates/{ids[ext]}", "DELETE", key=key)
                if status != 204:
                    problems.append(f"delete {ext}: {status}")
                with lock:
                    erased.add(ext)

        def ask() -> None:
            rounds = 0
            while not writers_done.is_set() or rounds < 3:
                for ext, text in stable:
                    with lock:
                        gone_before = set(erased)
                    status, body = call(
                        f"{url}/v1/match", "POST", {"job": {"text": text}, "top_k": 20}, key
                    )
                    if status != 200:
                        problems.append(f"match: {status} {body}")
                        continue
                    results = body["results"]
                    found = [m["candidate_id"] for m in results]
                    externals = {m["external_id"] for m in results}
                    scores = [m["score"] for m in results]
                    if found[:1] != [ids[ext]]:
                        problems.append(f"{ext} was not first for its own résumé: {found[:3]}")
                    if externals & gone_before:
                        problems.append(f"erased candidates returned: {externals & gone_before}")
                    if len(found) != len(set(found)) or scores != sorted(scores, reverse=True):
                        problems.append(f"a malformed shortlist: {found} {scores}")
                rounds += 1

        writers = [threading.Thread(target=add), threading.Thread(target=erase)]
        askers = [threading.Thread(target=ask) for _ in range(2)]
        for t in askers + writers:
            t.start()
        for t in writers:
            t.join(900)
        writers_done.set()
        for t in askers:
            t.join(900)
        assert problems == []
        status, ready = call(f"{url}/readyz")
        assert ready["candidates"] == len(stable) + len(incoming) == ready["index"]["count"]
        status, body = call(
            f"{url}/v1/match", "POST", {"job": {"text": incoming[-1][1]}, "top_k": 1}, key
        )
        assert body["results"][0]["external_id"] == incoming[-1][0]
    finally:
        server.terminate()
        server.wait(60)
