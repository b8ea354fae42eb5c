"""The recruiter page, end to end in headless Chromium (Debian's ``chromium``, driven by
Playwright), against the real service on loopback with a small real pool: the shipped CC0
demo résumés with their history, the real model, FAISS and SQLite.

``scripts/check.sh`` installs Chromium when it is missing (scripts/chromium.sh); under CI a
missing browser fails the run instead of skipping. A screenshot of the shortlist is saved
as ``test-artifacts/web-shortlist.png``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from models import Application, Consent, NewCandidate
from service import Runtime, Settings, create_app
from tests.documents import demo_records
from tests.service.test_fuzz import free_port

CHROMIUM = Path(os.environ.get("TALENTMATCH_CHROMIUM", "/usr/bin/chromium"))
# As the machine's notes advise: no background traffic from a browser on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TENANT = "acme"
POOL = 40  # the first demo résumés: several runners-up for software roles among them
JOB = (resources.files("service") / "demo" / "job.txt").read_text(encoding="utf-8")


@pytest.fixture
def backend() -> str:
    """The page only calls the API, whose store is tested on both backends elsewhere."""
    return "sqlite"


def page_file(client: TestClient, name: str) -> httpx.Response:
    return client.get(f"/ui/{name}")


def test_page_files_are_served_with_a_strict_policy(client: TestClient) -> None:
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 307 and home.headers["location"] == "/ui/"
    for name, kind in (("", "text/html"), ("app.js", "text/javascript"), ("style.css", "text/css")):
        answer = page_file(client, name)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(kind)
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
    # The page's scripts are files: no inline script for the policy to have to allow.
    html = page_file(client, "").text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    missing = page_file(client, "../settings.py")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_me_names_the_callers_tenant(client: TestClient, auth: dict[str, str]) -> None:
    me = client.get("/v1/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["tenant"] == TENANT and me.json()["admin"] is False
    assert client.get("/v1/me").json()["code"] == "unauthorized"


def test_document_text_reads_a_job_file(client: TestClient, auth: dict[str, str]) -> None:
    sent = {"file": ("job.txt", JOB.encode("utf-8"), "text/plain")}
    answer = client.post("/v1/documents/text", headers=auth, files=sent)
    assert answer.status_code == 200
    assert answer.json()["format"] == "txt"
    assert answer.json()["text"].startswith("Senior Software Engineer (Java)")
    bad = {"file": ("job.pdf", b"%PDF-1.4 not really", "application/pdf")}
    refused = client.post("/v1/documents/text", headers=auth, files=bad)
    assert refused.status_code == 422 and refused.json()["code"] == "corrupt_document"


# -- in the browser -------------------------------------------------------------------------
@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI runs the browser tests (scripts/chromium.sh)")
        pytest.skip(f"no {CHROMIUM}: `bash scripts/chromium.sh` installs Debian's chromium")
    return CHROMIUM


@pytest.fixture
def served(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """The service on a loopback port, over the first demo résumés with their history."""
    runtime.matcher.upsert(
        [
            NewCandidate(
                tenant=TENANT,
                external_id=str(r["id"]),
                resume=runtime.matcher.parser.parse_resume_text(str(r["text"])),
                source=str(r.get("source") or "demo"),
                applications=[Application.model_validate(a) for a in r.get("applications", [])],
                consent=Consent(),
            )
            for r in demo_records(limit=POOL)
        ]
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, runtime=runtime), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-test-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def assert_accessible(page: Any, where: str) -> None:
    """No WCAG 2.1 A or AA violation that axe-core finds on the page as it stands (the
    rules' report in the assertion's message otherwise)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    found = Axe().run(page, options={**options, "resultTypes": ["violations"]})
    assert found.violations_count == 0, f"{where}:\n{found.generate_report()}"


def api_match(url: str, key: str, body: dict[str, object]) -> dict[str, Any]:
    answer = httpx.post(
        f"{url}/v1/match", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


@pytest.mark.slow
def test_a_recruiter_signs_in_matches_gives_feedback_and_exports(
    served: str, runtime: Runtime, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    key = runtime.store.create_key(TENANT)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{served}/")
    assert page.url == f"{served}/ui/"
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page, "the sign-in form")

    # Keyboard only: the skip link first, then the key field; Enter submits.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("API key")).to_be_focused()
    page.keyboard.type("tm_not-a-key")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked API key")
    expect(page.get_by_role("heading", name="Find candidates for a job")).to_be_hidden()
    page.get_by_label("API key").fill(key)
    page.keyboard.press("Enter")
    expect(page.locator("#who")).to_contain_text(f"Signed in to {TENANT}")
    expect(page.get_by_label("Job description", exact=True)).to_be_focused()

    # The job read from a file, through the service's document reader.
    job_file = tmp_path / "senior-java.txt"
    job_file.write_text(JOB, encoding="utf-8")
    page.get_by_label("Job description file (PDF, DOCX, TXT, MD)").set_input_files(str(job_file))
    expect(page.get_by_role("status")).to_contain_text("Read the job description")
    assert (
        page.get_by_label("Job description", exact=True)
        .input_value()
        .startswith("Senior Software Engineer (Java)")
    )

    # Past applicants only, runners-up first; the page shows what the API answers.
    page.get_by_label("Candidates to show").fill("6")
    page.get_by_label("Past applicants only, runners-up first").check()
    page.get_by_label("Job id in your CRM (optional)").fill("REQ-2026-17")
    page.get_by_role("button", name="Find candidates").press("Enter")
    rows = page.locator("#shortlist tbody tr")
    expect(rows.first).to_be_visible()
    body = {
        "job": {"text": JOB.strip()},
        "top_k": 6,
        "filters": {},
        "mode": "rediscover",
    }
    expected = api_match(served, key, body)["results"]
    assert expected, "the demo pool holds past applicants for this job"
    expect(rows).to_have_count(len(expected))
    for i, result in enumerate(expected):
        cells = rows.nth(i).locator("td")
        expect(cells.nth(0)).to_have_text(str(i + 1))
        expect(cells.nth(1)).to_contain_text(result["external_id"])
        expect(cells.nth(2)).to_contain_text(f"{result['score']:.1f}")
        for reason in result["reasons"]:
            expect(cells.nth(4)).to_contain_text(reason)
        for name in result["must_have"]["matched"] + result["must_have"]["missing"]:
            expect(cells.nth(3)).to_contain_text(name)
        badge = rows.nth(i).locator(".badge.runner-up")
        if result["runner_up_for"]:
            expect(badge).to_contain_text(f"Runner-up for {result['runner_up_for'][0]}")
        else:
            expect(badge).to_have_count(0)
    assert expected[0]["runner_up_for"], "rediscovery puts a runner-up first"

    # The score's breakdown opens from the keyboard.
    first = rows.nth(0)
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(first.locator("dl.breakdown")).to_be_visible()

    assert_accessible(page, "the shortlist")

    # The parsed profile, in a dialog that Escape closes, focus back where it was.
    opener = first.get_by_role("button", name=re.compile("^View profile of"))
    opener.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Earlier applications")).to_be_visible()
    expect(dialog).to_contain_text(expected[0]["external_id"])
    # Each skill with the years its résumé states for it, as the API gives them.
    profile = httpx.get(
        f"{served}/v1/candidates/{expected[0]['candidate_id']}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ).json()
    stated = [e for e in profile["evidence"] if e["years_stated"]]
    assert stated, "the first candidate's résumé states years for some skills"
    for e in stated:
        years = e["years_stated"]
        said = "under a year stated" if years < 1 else f"{years:g} years stated"
        expect(dialog.locator("ul.skills")).to_contain_text(
            re.compile(re.escape(e["label"]) + r" \([^)]*" + said)
        )
    assert_accessible(page, "the profile")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    # Feedback through the API the CRM uses: shortlist the first, reject the second.
    first.get_by_role("button", name=re.compile("^Shortlist")).click()
    expect(first.locator(".verdict")).to_have_text("Shortlisted")
    second = rows.nth(1)
    second.get_by_role("button", name=re.compile("^Reject")).click()
    page.get_by_label("Reason").fill("Not enough experience")
    page.get_by_label("Reason").press("Enter")
    expect(second.locator(".verdict")).to_have_text("Rejected: Not enough experience")
    expect(second.get_by_role("button", name=re.compile("^Reject"))).to_be_focused()
    stored = httpx.get(
        f"{served}/v1/feedback",
        params={"job_id": "REQ-2026-17"},
        headers={"Authorization": f"Bearer {key}"},
    ).json()["feedback"]
    assert [(f["candidate_id"], f["verdict"], f["reason"]) for f in stored] == [
        (expected[0]["candidate_id"], "shortlisted", None),
        (expected[1]["candidate_id"], "rejected", "Not enough experience"),
    ]
    assert all(f["features"] for f in stored)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-shortlist.png"), full_page=True)

    # The CSV holds the shortlist as shown, verdicts included.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "shortlist-REQ-2026-17.csv"
    saved = tmp_path / "shortlist.csv"
    download.value.save_as(saved)
    table = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [r["external_id"] for r in table] == [r["external_id"] for r in expected]
    assert [r["score"] for r in table] == [f"{r['score']:.1f}" for r in expected]
    assert table[0]["runner_up_for"] == "; ".join(expected[0]["runner_up_for"])
    assert (table[0]["verdict"], table[1]["verdict"], table[1]["reason"]) == (
        "shortlisted",
        "rejected",
        "Not enough experience",
    )

    # A candidate erased meanwhile: the page says so, and keeps the rest of the list.
    gone = expected[2]
    erased = httpx.delete(
        f"{served}/v1/candidates/{gone['candidate_id']}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert erased.status_code == 204
    third = rows.nth(2)
    third.get_by_role("button", name=re.compile("^Shortlist")).click()
    expect(page.get_by_role("alert")).to_contain_text("(not_found)")
    expect(third.locator(".verdict")).to_have_text("")
    third.get_by_role("button", name=re.compile("^View profile of")).click()
    expect(page.get_by_role("alert")).to_contain_text("(not_found)")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(rows).to_have_count(len(expected))

    # Nothing personal, and never the key, in any address the page asked for.
    personal = [key] + [str(r["external_id"]) for r in expected]
    personal += [str(r["name"]) for r in expected if r["name"]]
    assert urls and all(served in u or u.startswith(("blob:", "data:")) for u in urls)
    leaked = [u for u in urls for p in personal if p in u]
    assert leaked == []
    assert "?" not in page.url and "#" not in page.url
    context.close()


@pytest.mark.slow
def test_the_page_shows_only_the_signed_in_tenant(
    served: str, runtime: Runtime, browser: Any
) -> None:
    from playwright.sync_api import expect

    other = runtime.store.create_key("other")
    page = browser.new_page()
    page.goto(f"{served}/ui/")
    page.get_by_label("API key").fill(other)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_contain_text("Signed in to other")
    page.get_by_label("Job description", exact=True).fill(JOB)
    page.get_by_role("button", name="Find candidates").click()
    expect(page.get_by_role("status")).to_contain_text("0 candidates ranked from a pool of 0")
    expect(page.locator("#shortlist tbody tr")).to_have_count(0)

    # Revoked while signed in: the next call signs the page out, with the reason.
    runtime.store.revoke_key(other[:10])
    page.get_by_role("button", name="Find candidates").click()
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked API key")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.close()
