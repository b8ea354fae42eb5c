from __future__ import annotations

import pytest

import models
from models import Job, JobSkill, SkillEvidence, TalentmatchError


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


def test_a_must_have_asks_the_most_years_any_of_its_mentions_asks() -> None:
    first = skill("python", True)
    job = Job(
        text="x",
        skills=[first, first.model_copy(update={"years": 5.0, "start": 9})],
    )
    [python] = job.required()
    assert (python.start, python.years) == (0, 5.0)


@pytest.mark.parametrize(
    ("stated", "used", "shown"),
    [(3.0, 4.4, 4.5), (0.5, None, 0.5), (None, 2.1, 2.0), (None, None, None), (8.0, 1.0, 8.0)],
)
def test_the_years_a_resume_shows_of_a_skill(
    stated: float | None, used: float | None, shown: float | None
) -> None:
    evidence = SkillEvidence(
        id="s", label="S", mentions=1, sections=[], years_stated=stated, years_used=used
    )
    assert evidence.years() == shown


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
