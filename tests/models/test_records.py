from __future__ import annotations

import pytest

import models
from models import Job, JobSkill, TalentmatchError


def skill(sid: str, required: bool) -> JobSkill:
    return JobSkill(id=sid, label=sid, text=sid, start=0, end=1, required=required)


def test_required_and_preferred_are_unique_and_disjoint() -> None:
    job = Job(
        text="x",
        skills=[
            skill("a", True),
            skill("b", False),
            skill("a", True),
            skill("a", False),
            skill("b", False),
            skill("c", False),
        ],
    )
    assert [s.id for s in job.required()] == ["a"]
    assert [s.id for s in job.preferred()] == ["b", "c"]


def test_every_error_has_its_own_code_and_keeps_its_message() -> None:
    errors = [
        getattr(models, name)
        for name in models.__all__
        if isinstance(getattr(models, name), type)
        and issubclass(getattr(models, name), TalentmatchError)
    ]
    codes = [e.code for e in errors]
    assert len(codes) == len(set(codes)) == 16
    for error in errors:
        with pytest.raises(TalentmatchError) as info:
            raise error("what went wrong")
        assert info.value.message == "what went wrong"


def test_records_refuse_unknown_fields() -> None:
    with pytest.raises(ValueError):
        Job(text="x", salary=1)  # type: ignore[call-arg]
