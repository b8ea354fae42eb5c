"""The service under load, one process against several: ``talentmatch serve --workers N`` on
loopback, driven by locust (``benchmarks/locustfile.py``), a real HTTP load generator.

For each worker count (1, the baseline, then 2 by default) the service is started on the
same home, waited for until every worker answers /readyz, warmed with a few matches, then
loaded for ``--seconds`` by ``--users`` concurrent users in two runs:

* unseen job descriptions (each call parsed, embedded, ranked);
* the same eight jobs again and again (answered from the kept shortlists).

Printed and written as JSON: requests a second, latency percentiles (locust's, rounded to two
significant figures above 100 ms), failures, and the memory of the whole service (every
process: the resident sets added up, and the proportional set size, which counts a page
shared by several processes once).

The home is the demo pool unless ``--home`` names another (for a million candidates: the one
``benchmarks/search.py --pool 1000000`` keeps under ~/.cache/talentmatch/bench-search). Locust
runs on the same two cores as the service, so the figures are what one machine does while
also generating its load.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from benchmarks.ranking import occupation_texts  # noqa: E402
from benchmarks.served_pool import free_port  # noqa: E402
from index import Store  # noqa: E402

BIN = Path(sys.executable).parent
CACHE = Path.home() / ".cache" / "talentmatch" / "bench-load"


def demo_home() -> tuple[Path, str]:
    """The demo pool, set up once under the cache."""
    home = CACHE / "demo"
    if not (home / "demo-ready").exists():
        subprocess.run(
            [str(BIN / "talentmatch"), "demo", "--home", str(home), "--no-serve"],
            check=True,
            env=os.environ | {"HF_HUB_OFFLINE": "1"},
            stdout=subprocess.DEVNULL,
        )
        (home / "demo-ready").touch()
    return home, "demo"


def store_url(home: Path) -> str:
    return os.environ.get("TALENTMATCH_DATABASE_URL") or f"sqlite:///{home / 'talentmatch.db'}"


def memory_mb(pid: int) -> dict[str, float]:
    """Resident and proportional set sizes of a process and all its children, in MB."""
    rss = pss = 0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            info = process.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        pss += info.pss
    return {"rss_mb": round(rss / 2**20), "pss_mb": round(pss / 2**20)}


def wait_all_ready(client: httpx.Client, server: subprocess.Popen[bytes], workers: int) -> None:
    """Until /readyz has answered 200 from every worker (each call on a new connection)."""
    ready: set[int] = set()
    while len(ready) < workers:
        if server.poll() is not None:
            raise RuntimeError(f"talentmatch serve exited with {server.returncode}")
        try:
            response = client.get("/readyz", headers={"Connection": "close"})
        except httpx.TransportError:
            time.sleep(0.5)
            continue
        if response.status_code == 200:
            ready.add(int(response.json()["worker"]))
        time.sleep(0.05)


def locust(url: str, env: dict[str, str], users: int, seconds: int, out: Path) -> dict[str, Any]:
    """One headless locust run; its totals from the stats it writes."""
    done = subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            url,
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):  # 1: some requests failed, counted below
        raise RuntimeError(f"locust exited with {done.returncode}:\n{done.stderr[-2000:]}")
    with Path(f"{out}_stats.csv").open() as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p90_ms": float(total["90%"]),
        "p99_ms": float(total["99%"]),
    }


def run(
    workers: int, home: Path, key: str, jobs_file: Path, *, users: int, seconds: int, tmp: Path
) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "TALENTMATCH_HOME": str(home),
        "TALENTMATCH_CACHE_DIR": str(CACHE.parent),  # the int8 model, made once
        "TALENTMATCH_LOG_LEVEL": "WARNING",
        "TALENTMATCH_WARM_SKILL_INDEX": "false",
        "HF_HUB_OFFLINE": "1",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "talentmatch"), "serve", "--workers", str(workers), "--port", str(port)],
        env=env,
    )
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            wait_all_ready(client, server, workers)
            start_s = time.perf_counter() - started
            texts = json.loads(jobs_file.read_text())
            for i in range(4 * workers):  # each worker's first calls load what it keeps
                client.post(
                    "/v1/match",
                    json={"job": {"text": f"{texts[i]}\nWarm-up {i}."}},
                    headers={"Authorization": f"Bearer {key}", "Connection": "close"},
                ).raise_for_status()
        result: dict[str, Any] = {"workers": workers, "start_s": round(start_s, 1)}
        for mode in ("unseen", "kept"):
            load_env = env | {"TM_KEY": key, "TM_JOBS": str(jobs_file), "TM_MODE": mode}
            result[mode] = locust(url, load_env, users, seconds, tmp / f"w{workers}-{mode}")
        result |= memory_mb(server.pid)
        return result
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| workers | load | matches/s | p50 ms | p90 ms | p99 ms | failed | RSS MB | PSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for mode in ("unseen", "kept"):
            m = r[mode]
            lines.append(
                f"| {r['workers']} | {mode} | {m['rps']} | {m['p50_ms']:g} | {m['p90_ms']:g} | "
                f"{m['p99_ms']:g} | {m['failures']}/{m['requests']} | {r['rss_mb']} | "
                f"{r['pss_mb']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="a pool's home (default: the demo pool)")
    parser.add_argument("--tenant", help="whose pool to match (default: the largest)")
    parser.add_argument("--workers", default="1,2", help="worker counts, the first the baseline")
    parser.add_argument("--users", type=int, default=8, help="concurrent users")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/load.json")
    args = parser.parse_args()

    home, tenant = (args.home, args.tenant) if args.home else demo_home()
    store = Store(store_url(home))
    try:
        counts = store.counts()
        tenant = tenant or max(counts, key=lambda t: counts[t])
        key = store.create_key(tenant)
    finally:
        store.close()
    jobs = occupation_texts(ROOT.parent / "shared" / "data" / "taxonomy" / "esco-1.1.1")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        jobs_file = tmp / "jobs.json"
        jobs_file.write_text(json.dumps([jobs[label] for label in sorted(jobs)]))
        results = [
            run(int(w), home, key, jobs_file, users=args.users, seconds=args.seconds, tmp=tmp)
            for w in args.workers.split(",")
        ]
    report = {
        "home": str(home),
        "pool": counts[tenant],
        "tenant": tenant,
        "users": args.users,
        "seconds": args.seconds,
        "cpus": len(os.sched_getaffinity(0)),
        "results": results,
    }
    print(f"pool {counts[tenant]:,} candidates ({tenant}); {args.users} users, {args.seconds} s")
    print(table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
