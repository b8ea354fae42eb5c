from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from index import Store
from index import _migrate as migrate
from index._schema import Base
from models import InvalidInput


def test_migrations_build_exactly_the_declared_schema(database_url: str) -> None:
    url = database_url
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert migrate.current_revision(engine) == migrate.head()
    engine.dispose()


def test_reopening_a_migrated_database_keeps_its_data(database_url: str) -> None:
    url = database_url
    store = Store(url)
    key = store.create_key("acme")
    store.close()
    reopened = Store(url)
    assert reopened.tenant_for_key(key) == "acme"
    reopened.close()


def test_a_foreign_database_is_refused_untouched(database_url: str) -> None:
    url = database_url
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE candidates (id INTEGER PRIMARY KEY, x TEXT)"))
        connection.execute(text("INSERT INTO candidates VALUES (1, 'keep')"))
    with pytest.raises(InvalidInput, match="no migration history"):
        Store(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM candidates")).scalar() == "keep"
    engine.dispose()


def test_upgrading_fills_skill_dates_and_years_from_stored_evidence(database_url: str) -> None:
    url = database_url
    engine = create_engine(url)
    resume = {
        "text": "Python developer",
        "format": "txt",
        "evidence": [
            {
                "id": "esco:python",
                "label": "Python",
                "mentions": 2,
                "sections": [],
                "last_used": "2025-04-01",
                "years_used": 3.0,
            },
            {"id": "esco:sql", "label": "SQL", "mentions": 1, "sections": []},
            {
                "id": "esco:java",
                "label": "Java",
                "mentions": 1,
                "sections": [],
                "years_stated": 6.0,
                "years_used": 1.1,
            },
        ],
    }
    with engine.begin() as connection:
        _upgrade_to(connection, "0002")
        _insert_old_candidates(connection, {"x": json.dumps(resume)})
    engine.dispose()
    store = Store(url)
    profile = next(iter(store.profiles([1]).values()))
    assert profile.skills_last_used == {"esco:python": dt.date(2025, 4, 1)}
    assert profile.skill_years == {"esco:python": 3.0, "esco:java": 6.0}
    assert [r.skill_years for r in store.profile_rows()] == [profile.skill_years]
    store.close()


def test_rebuilding_the_candidates_table_keeps_what_refers_to_it(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        _upgrade_to(connection, "0005")
        connection.execute(
            text(
                "INSERT INTO candidates (tenant, external_id, resume_json, titles_json, "
                "skill_ids_json, skills_last_used_json, text_sha, may_contact, created_at, "
                "updated_at) VALUES ('acme', 'x', '{}', '[]', '[]', '{}', 'sha', true, "
                "'2025-01-01', '2025-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO applications (candidate_id, job_id, job_title, stage, outcome) "
                "VALUES (1, 'REQ-1', 'Engineer', 'final_round', 'runner_up')"
            )
        )
    engine.dispose()
    Store(database_url).close()  # 0006 rebuilds the table on SQLite
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM applications")).scalar() == 1
        assert migrate.current_revision(engine) == migrate.head()
    engine.dispose()


def test_resumes_move_to_their_own_table_whole_and_ids_stay_unreused(database_url: str) -> None:
    from models import NewCandidate, Resume

    engine = create_engine(database_url)
    # More than one of the migration's batches (5,000), with gaps where candidates were erased.
    with engine.begin() as connection:
        _upgrade_to(connection, "0010")
        _insert_old_candidates(
            connection,
            {f"c{n}": json.dumps({"text": f"Résumé c{n}", "format": "txt"}) for n in range(6_000)},
        )
        connection.execute(text("DELETE FROM candidates WHERE id % 7 = 0"))
        kept = dict(connection.execute(text("SELECT id, external_id FROM candidates")).all())
    engine.dispose()
    store = Store(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("candidates")}
        moved = dict(
            connection.execute(text("SELECT candidate_id, resume_json FROM resumes")).all()
        )
    assert "resume_json" not in columns
    assert len(kept) > 5_000 and sorted(moved) == sorted(kept)
    assert all(json.loads(moved[i])["text"] == f"Résumé {kept[i]}" for i in kept)
    last = max(kept)
    assert store.get("acme", last).resume.text == f"Résumé {kept[last]}"
    # The highest id, erased, is not given again (SQLite's AUTOINCREMENT survived the change).
    store.delete("acme", last)
    new = NewCandidate(tenant="acme", external_id="new", resume=Resume(text="x", format="txt"))
    [(made, created)] = store.upsert([(new, None)], "model")
    assert created and made.id > last
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM resumes")).scalar() == len(kept)
    store.close()
    engine.dispose()


def _upgrade_to(connection: Connection, revision: str) -> None:
    """Migrate the database behind ``connection`` to ``revision`` (an older schema, to put
    data in as an older version stored it)."""
    from alembic import command

    config = migrate._config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _insert_old_candidates(connection: Connection, resumes: dict[str, str]) -> None:
    """Insert tenant acme's candidates (external id → résumé JSON) as the schema from 0002 to
    0010 held them: the résumé in the candidates row."""
    connection.execute(
        text(
            "INSERT INTO candidates (tenant, external_id, resume_json, titles_json, "
            "skill_ids_json, text_sha, may_contact, created_at, updated_at) VALUES "
            "('acme', :ext, :resume, '[]', '[]', 'sha', true, '2025-01-01', '2025-01-01')"
        ),
        [{"ext": ext, "resume": resume} for ext, resume in resumes.items()],
    )
