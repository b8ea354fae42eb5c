"""The load ``benchmarks/load.py`` puts on a served pool with locust: users who call
``POST /v1/match`` back to back, as a CRM's recruiters opening roles would.

Read from the environment (``benchmarks/load.py`` sets them): ``TM_KEY`` the API key,
``TM_JOBS`` a JSON file holding a list of job descriptions, ``TM_MODE`` one of

* ``unseen``: every call a job description the service has not seen (one of the jobs with a
  reference number of its own), so that each is parsed, embedded and ranked;
* ``kept``: the same eight jobs over and over, answered from the kept shortlists.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from locust import FastHttpUser, constant, task

JOBS: list[str] = json.loads(Path(os.environ["TM_JOBS"]).read_text())
MODE = os.environ.get("TM_MODE", "unseen")
HEADERS = {"Authorization": f"Bearer {os.environ['TM_KEY']}"}
_calls = itertools.count()


class Recruiter(FastHttpUser):
    wait_time = constant(0)

    @task
    def match(self) -> None:
        i = next(_calls)
        if MODE == "kept":
            text = JOBS[i % 8]
        else:
            text = f"{JOBS[i % len(JOBS)]}\nReference {os.getpid()}-{i}."
        self.client.post(
            "/v1/match",
            json={"job": {"text": text}, "top_k": 10},
            headers=HEADERS,
            name=f"match ({MODE})",
        )
