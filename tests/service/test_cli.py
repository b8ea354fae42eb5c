"""The command line, in process (sharing the session's loaded model and parser) and once as
a real subprocess of the installed ``talentmatch`` script."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import service.runtime
from matcher import Encoder
from models import NewCandidate
from parsing import Parser, extract_text
from service import Runtime, Settings, create_app
from service.cli import app
from tests.documents import (
    RESUME_TEXT,
    assert_shortlist_shape,
    demo_records,
    docx_bytes,
    encrypted_pdf,
    pdf_bytes,
)


@pytest.fixture(autouse=True)
def loaded_once(monkeypatch: pytest.MonkeyPatch, parser: Parser, encoder: Encoder) -> None:
    """Commands build a Parser and an Encoder; hand them the session's instead."""
    monkeypatch.setattr(service.runtime, "Parser", lambda *a, **k: parser)
    monkeypatch.setattr(service.runtime, "Encoder", lambda *a, **k: encoder)
    monkeypatch.setattr("parsing.Parser", lambda *a, **k: parser)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cvs"
    folder.mkdir()
    (folder / "jordan.pdf").write_bytes(pdf_bytes())
    (folder / "sam.docx").write_bytes(docx_bytes(str(demo_records(2)[1]["text"])))
    for r in demo_records(limit=6)[2:]:
        (folder / f"{r['id']}.txt").write_text(str(r["text"]))
    (folder / "locked.pdf").write_bytes(encrypted_pdf())
    return folder


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def json_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_ingest_reports_every_file_and_skips_bad_ones(home: Path, folder: Path) -> None:
    code, out, _ = run("ingest", str(folder), "--home", str(home), "--json")
    assert code == 0
    lines = {Path(str(x["file"])).name: x for x in json_lines(out)}
    assert len(lines) == 7
    assert lines["locked.pdf"]["error"]["code"] == "encrypted_document"  # type: ignore[index]
    assert lines["jordan.pdf"]["external_id"] == "jordan"
    assert isinstance(lines["sam.docx"]["candidate_id"], int)


def test_ingest_of_only_bad_files_fails(home: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    code, _, err = run("ingest", str(tmp_path / "bad.pdf"), "--home", str(home))
    assert code == 1
    assert "bad.pdf" in err and "ingested 0 of 1" in err


def test_match_json_has_the_api_shape(home: Path, folder: Path) -> None:
    run("ingest", str(folder), "--home", str(home))
    job = folder.parent / "job.txt"
    job.write_text("Data Engineer\n\nRequirements\n- Python\n- SQL\n- Apache Spark\n")
    code, out, _ = run("match", str(job), "--home", str(home), "--top", "4", "--json")
    assert code == 0
    body = json.loads(out)
    assert assert_shortlist_shape(body, 4)[0]["external_id"] == "jordan"
    code, out_stdin, _ = run(
        "match", "-", "--home", str(home), "--top", "4", "--json", stdin=job.read_text()
    )
    assert [r["candidate_id"] for r in json.loads(out_stdin)["results"]] == [
        r["candidate_id"] for r in body["results"]
    ]
    code, table, _ = run("match", str(job), "--home", str(home), "--top", "2")
    assert code == 0 and "jordan" in table


def test_match_errors(home: Path, tmp_path: Path) -> None:
    code, _, err = run("match", str(tmp_path / "nope.txt"), "--home", str(home))
    assert code == 1 and "no such file" in err
    (tmp_path / "empty.txt").write_text("")
    code, _, err = run("match", str(tmp_path / "empty.txt"), "--home", str(home))
    assert code == 1 and "empty_document" in err


def test_skills_spans_slice_the_extracted_text(folder: Path) -> None:
    pdf = folder / "jordan.pdf"
    code, out, _ = run("skills", str(pdf), "--json")
    assert code == 0
    spans = json.loads(out)
    text, _ = extract_text(pdf.read_bytes(), pdf.name)
    assert {"Kubernetes", "Python", "SQL"} <= {s["text"] for s in spans}
    for s in spans:
        assert set(s) == {"id", "label", "text", "start", "end"}
        assert text[s["start"] : s["end"]] == s["text"]


def test_skills_of_many_files_one_line_each(folder: Path) -> None:
    files = [folder / "jordan.pdf", folder / "sam.docx", folder / "locked.pdf"]
    code, out, _ = run("skills", *map(str, files), "--json")
    assert code == 0
    lines = json_lines(out)
    assert [x["file"] for x in lines] == [str(f) for f in files]
    assert lines[0]["skills"] and lines[1]["skills"]
    assert lines[2]["error"]["code"] == "encrypted_document"  # type: ignore[index]


def test_parse(folder: Path) -> None:
    code, out, _ = run("parse", str(folder / "jordan.pdf"), "--json")
    assert code == 0
    parsed = json.loads(out)
    assert parsed["contact"]["emails"] == ["jordan.example@example.org"]
    assert parsed["format"] == "pdf"
    code, _, err = run("parse", str(folder / "locked.pdf"))
    assert code == 1 and "password" in err


def test_parse_job(tmp_path: Path) -> None:
    job = tmp_path / "job.md"
    job.write_text("Data Engineer\n\nRequirements\n- Python\n\nNice to have\n- Docker\n")
    code, out, _ = run("parse", str(job), "--job", "--json")
    assert code == 0
    skills = {s["text"]: s["required"] for s in json.loads(out)["skills"]}
    assert skills == {"Python": True, "Docker": False}


def test_reindex(home: Path, folder: Path) -> None:
    run("ingest", str(folder), "--home", str(home))
    code, _, err = run("reindex", "--home", str(home))
    assert code == 0
    assert "6 candidates: 0 re-parsed, 0 embedded, 6 in the index" in err


def test_a_serving_runtime_follows_the_index_a_reindex_switched_in(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    run("ingest", str(folder), "--home", str(home))
    runtime = Runtime.open(Settings(home=home))
    try:
        first = runtime.matcher.pool
        assert first.index_dir == home / "index" and not (home / "index").is_symlink()
        assert runtime.follow_index() is False  # nothing switched yet
        assert run("reindex", "--home", str(home))[0] == 0
        live = (home / "index").resolve()
        assert (home / "index").is_symlink() and live.parent == home / "index-versions"
        # The folder served before the switch is kept beside the new one.
        assert sorted(p.name for p in live.parent.iterdir()) == sorted(
            [live.name, f"{live.name}-before"]
        )
        assert runtime.follow_index() is True
        pool = runtime.matcher.pool
        assert pool is not first and pool.index_dir == live and pool.count() == 6
        # It serves and takes writes; the store and the new index agree.
        job = "Data engineer: Python, SQL, Airflow"
        assert runtime.matcher.match(job, tenant="default", k=3).results
        extra = runtime.matcher.upsert(
            [
                NewCandidate(
                    tenant="default",
                    external_id="late",
                    resume=Parser().parse_resume_text(RESUME_TEXT),
                )
            ]
        )[0][0]
        assert extra.id in pool.vectors.ids()
        # A second re-index keeps the version served before it and removes the older one.
        assert run("reindex", "--home", str(home))[0] == 0
        newer = (home / "index").resolve()
        assert sorted(p.name for p in newer.parent.iterdir()) == sorted([live.name, newer.name])
        assert runtime.follow_index() is True
        assert runtime.matcher.pool.count() == 7
    finally:
        runtime.close()


def follow_window_settings(monkeypatch: pytest.MonkeyPatch, encoder: Encoder) -> None:
    """Runtimes get the session's encoder reading as many windows as the settings say."""

    def sized(*_: object, windows: int, **__: object) -> Encoder:
        copy = Encoder.__new__(Encoder)
        copy.__dict__.update(encoder.__dict__)
        copy.windows = windows
        return copy

    monkeypatch.setattr(service.runtime, "Encoder", sized)


def test_a_runtime_leaves_an_index_built_for_another_model_to_a_restart(
    home: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, encoder: Encoder
) -> None:
    follow_window_settings(monkeypatch, encoder)
    run("ingest", str(folder), "--home", str(home))
    runtime = Runtime.open(Settings(home=home))
    try:
        monkeypatch.setenv("TALENTMATCH_DOCUMENT_WINDOWS", "2")
        assert run("reindex", "--home", str(home))[0] == 0
        before = runtime.matcher.pool
        assert runtime.follow_index() is False
        assert runtime.matcher.pool is before and runtime.unfollowed == (home / "index").resolve()
        assert runtime.matcher.match("Python developer", tenant="default", k=3).results
    finally:
        runtime.close()


def test_changing_the_document_windows_asks_for_a_reindex(
    home: Path, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoder: Encoder
) -> None:
    follow_window_settings(monkeypatch, encoder)
    monkeypatch.setenv("TALENTMATCH_DOCUMENT_WINDOWS", "2")
    assert run("ingest", str(folder), "--home", str(home))[0] == 0
    monkeypatch.delenv("TALENTMATCH_DOCUMENT_WINDOWS")
    job = tmp_path / "job.txt"
    job.write_text("Data engineer: Python, SQL, Airflow")
    code, _, err = run("match", str(job), "--home", str(home))
    assert code == 1 and "reindex" in err
    code, _, err = run("reindex", "--home", str(home))
    assert code == 0
    assert "6 candidates: 0 re-parsed, 6 embedded, 6 in the index" in err
    assert run("match", str(job), "--home", str(home), "--json")[0] == 0


def test_purge_erases_who_is_past_retention_or_withdrew_consent(home: Path, tmp_path: Path) -> None:
    texts = [str(r["text"]) for r in demo_records(limit=4)]
    consents = [
        {"may_contact": True, "retention_until": "2026-01-31"},  # past by February
        {"may_contact": False},  # withdrew
        {"may_contact": True, "retention_until": "2026-02-01"},  # the last day counts
        {"may_contact": True},
    ]
    records = tmp_path / "pool.jsonl"
    records.write_text(
        "".join(
            json.dumps({"id": f"c{i}", "text": t, "consent": c}) + "\n"
            for i, (t, c) in enumerate(zip(texts, consents, strict=True))
        )
    )
    assert run("ingest", str(records), "--home", str(home))[0] == 0
    code, out, err = run("purge", "--home", str(home), "--today", "2026-02-01", "--dry-run")
    assert code == 0 and "would erase 2 candidate(s)" in err

    code, out, err = run("purge", "--home", str(home), "--today", "2026-02-01", "--json")
    assert code == 0 and "erased 2 candidate(s)" in err
    erased = json.loads(out)["erased"]
    from index import Store

    store = Store(Settings(home=home).store_url)
    try:
        left = {c.external_id for c in store.iter_candidates("default")}
        assert left == {"c2", "c3"}
        [entry] = store.audit_log("default")
        assert entry.action == "purge" and entry.actor == "cli"
        assert sorted(entry.candidate_ids) == sorted(e["candidate_id"] for e in erased)
    finally:
        store.close()
    runtime = Runtime.open(Settings(home=home))
    try:
        assert set(runtime.matcher.pool.vectors.ids()) == {
            c.id for c in runtime.store.iter_candidates()
        }
    finally:
        runtime.close()
    assert "erased 0" in run("purge", "--home", str(home), "--today", "2026-02-01")[2]


def test_keys_create_and_revoke(home: Path) -> None:
    code, key, _ = run("keys", "create", "--tenant", "acme", "--home", str(home))
    key = key.strip()
    assert code == 0 and key.startswith("tm_")
    from index import Store

    store = Store(Settings(home=home).store_url)
    try:
        assert store.tenant_for_key(key) == "acme"
        code, admin, _ = run("keys", "create", "--tenant", "ops", "--admin", "--home", str(home))
        assert code == 0 and store.key(admin.strip()) == store.keys("ops")[0]
        assert store.keys("ops")[0].admin and not store.keys("acme")[0].admin
        code, listed, _ = run("keys", "list", "--home", str(home), "--json")
        assert [(k["tenant"], k["admin"]) for k in json_lines(listed)] == [
            ("acme", False),
            ("ops", True),
        ]
        assert key not in listed and admin.strip() not in listed
        assert run("keys", "revoke", key[:10], "--home", str(home))[0] == 0
        assert store.tenant_for_key(key) is None
        assert run("keys", "revoke", key, "--home", str(home))[0] == 1
        assert [e.action for e in store.audit_log("acme")] == ["key_revoked", "key_created"]
        code, _, err = run("keys", "create", "--tenant", "no spaces", "--home", str(home))
        assert code == 1 and "invalid_input" in err
    finally:
        store.close()


def test_settings_shows_and_sets_blind_matching(home: Path) -> None:
    code, shown, _ = run("settings", "--tenant", "acme", "--home", str(home), "--json")
    assert code == 0 and json.loads(shown) == {"tenant": "acme", "blind": True, "changed": False}
    code, shown, err = run("settings", "--tenant", "acme", "--no-blind", "--home", str(home))
    assert code == 0 and "blind matching off" in shown and "talentmatch reindex" in err
    code, shown, _ = run("settings", "--tenant", "acme", "--home", str(home), "--json")
    assert json.loads(shown)["blind"] is False
    code, _, err = run("settings", "--tenant", "no spaces", "--no-blind", "--home", str(home))
    assert code == 1 and "invalid_input" in err
    from index import Store

    store = Store(Settings(home=home).store_url)
    try:
        assert [e.detail for e in store.audit_log("acme")] == ["blind=off"]
        assert store.blind_settings() == {"acme": False}
    finally:
        store.close()


@pytest.mark.slow
def test_demo_sets_up_a_pool_whose_printed_curl_works(
    home: Path, parser: Parser, encoder: Encoder
) -> None:
    code, out, err = run("demo", "--home", str(home), "--no-serve")
    assert code == 0, err
    curl = next(line for line in out.splitlines() if line.startswith("curl "))
    words = shlex.split(curl)
    key = words[words.index("-H") + 1].removeprefix("Authorization: Bearer ")
    body = json.loads(words[words.index("-d") + 1])
    settings = Settings(home=home)
    runtime = Runtime.open(settings, parser=parser, encoder=encoder)
    try:
        assert runtime.store.count("demo") == len(demo_records())
        with TestClient(create_app(settings, runtime=runtime)) as client:
            response = client.post(
                "/v1/match", json=body, headers={"Authorization": f"Bearer {key}"}
            )
            page = client.get("/ui/")
        assert response.status_code == 200
        assert len(response.json()["results"]) == 5
        # The recruiter page it points to is served by the same process.
        assert "Recruiter page: http://127.0.0.1:8000/ui/" in " ".join(err.split())
        assert page.status_code == 200 and "<title>talentmatch" in page.text
    finally:
        runtime.close()
    # A second run reuses the pool and the key.
    code, again, _ = run("demo", "--home", str(home), "--no-serve")
    assert code == 0 and key in again


@pytest.mark.slow
def test_installed_script_end_to_end(tmp_path: Path, folder: Path) -> None:
    # The console script installed beside this interpreter (pip install -e .).
    script = str(Path(sys.executable).parent / "talentmatch")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TALENTMATCH_HOME": str(tmp_path / "env-home")}
    done = subprocess.run(
        [script, "ingest", str(folder), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 7
    assert (tmp_path / "env-home" / "talentmatch.db").exists()
    job = tmp_path / "job.txt"
    job.write_text(RESUME_TEXT)
    done = subprocess.run(
        [script, "match", str(job), "--top", "3", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["external_id"] == "jordan"


def test_skills_of_a_job_say_must_have_and_years(tmp_path: Path) -> None:
    job = tmp_path / "job.txt"
    job.write_text(
        "Data Engineer\n\nRequirements\n- 3+ years of Python\n\nNice to have\n- Docker\n"
    )
    code, out, _ = run("skills", str(job), "--job", "--json")
    assert code == 0
    found = {s["text"]: s for s in json.loads(out)}
    assert (found["Python"]["required"], found["Python"]["years"]) == (True, 3.0)
    assert (found["Docker"]["required"], found["Docker"]["years"]) == (False, None)
    text = job.read_text()
    assert all(text[s["start"] : s["end"]] == s["text"] for s in found.values())
    code, table, _ = run("skills", str(job), "--job")
    assert code == 0 and "must-have, 3+ years" in table and "nice-to-have" in table


def test_parse_shows_evidence_and_years(folder: Path) -> None:
    code, out, _ = run("parse", str(folder / "jordan.pdf"), "--json")
    assert code == 0
    parsed = json.loads(out)
    assert parsed["years_experience"] > 10
    evidence = {e["label"]: e for e in parsed["evidence"]}
    assert evidence["Tableau"]["last_used"] == "2018-12-01"


@pytest.mark.slow
def test_link_phrases(home: Path, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTMATCH_CACHE_DIR", str(shared_cache))
    code, out, err = run(
        "link", "JS", "communication skills", "Excel", "--home", str(home), "--json"
    )
    assert code == 0, err
    links = json_lines(out)
    assert (links[0]["label"], links[0]["method"]) == ("JavaScript", "label")
    assert (links[1]["label"], links[1]["method"]) == ("communication", "nearest")
    # An ESCO skill is its own ESCO concept; Excel, a tool ESCO lists under a kind, is that
    # kind's.
    assert links[0]["esco"] == links[0]["id"]
    assert links[2]["label"] == "Microsoft Excel" and links[2]["esco"] != links[2]["id"]
    code, out, err = run("link", "Excel", "--home", str(home))
    assert code == 0, err
    assert "in ESCO 'use spreadsheets software'" in out
    assert list(shared_cache.glob("skill-labels-*.npy"))


def test_link_refuses_a_phrase_without_a_letter(home: Path) -> None:
    code, out, err = run("link", "Python", ".", "--home", str(home))
    assert code == 1 and out == ""
    assert "'.' has no letter or digit" in err


def test_match_modes_filters_and_weight_tuning(home: Path, folder: Path, tmp_path: Path) -> None:
    from index import Store
    from models import Feedback, Verdict

    run("ingest", str(folder), "--home", str(home))
    job = folder.parent / "job.txt"
    job.write_text("Data Engineer\n\nRequirements\n- Python\n- SQL\n- Apache Spark\n")
    base = ("match", str(job), "--home", str(home), "--json")
    assert json.loads(run(*base, "--rediscover")[1])["results"] == []  # no history yet
    assert json.loads(run(*base, "--source", "nowhere")[1])["results"] == []
    assert len(json.loads(run(*base, "--updated-since", "2000-01-01")[1])["results"]) == 6
    code, _, err = run(*base, "--updated-since", "yesterday")
    assert code == 2 and "updated-since" in err

    weights = tmp_path / "weights.json"
    code, _, err = run("tune-weights", "--home", str(home), "--out", str(weights))
    assert code == 1 and "nothing to learn" in err and not weights.exists()

    store = Store(Settings(home=home).store_url)
    ids = [c.id for c in store.iter_candidates("default")]
    store.add_feedback(
        "default",
        [
            Feedback(
                job_id=f"job-{j}",
                candidate_id=i,
                verdict=Verdict.shortlisted if k == j % 3 else Verdict.rejected,
                features={
                    "semantic": 0.1 if k == j % 3 else 0.9,
                    "title": 1.0 if k == j % 3 else 0.0,
                },
            )
            for j in range(4)
            for k, i in enumerate(ids[:3])
        ],
    )
    store.close()
    code, _, err = run("tune-weights", "--home", str(home), "--out", str(weights))
    assert code == 0, err
    said = " ".join(err.split())  # rich wraps long lines
    assert "12 verdicts on 4 jobs" in said and "0% of pairs before, 100% after" in said
    tuned = json.loads(weights.read_text())
    assert tuned["title"] > 0.1
