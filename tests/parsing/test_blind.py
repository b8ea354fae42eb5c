"""The blind representation: what a blind match reads of a résumé."""

from __future__ import annotations

import pytest

from parsing import Parser
from tests.documents import RESUME_TEXT, demo_records

HEADER = (
    "Latoya Washington\n"
    "latoya.washington@example.com | (555) 014-2231 | linkedin.com/in/latoya-washington\n"
    "2501 N. Blackwelder Ave. #466, Oklahoma City, OK 73106\n"
)
BODY = (
    "Summary\n"
    "Head waitress and bartender; she trained new staff and ran her section alone.\n"
    "Personal details\n"
    "Date of birth: 14 May 1971 | Nationality: Jamaican\n"
    "Marital status: Married\n"
    "Gender: Female\n"
    "Experience\n"
    "Jan 2015 - Present Restaurant Manager, Washington, DC\n"
    "Handled grant management and Microsoft Excel reports; chairwoman of the staff committee.\n"
    "Education\n"
    "1993 Bachelor of Arts : Hospitality, Howard University\n"
    "Member of Alpha Kappa Alpha Sorority\n"
    "Skills\n"
    "MS Excel, cash handling, POS systems\n"
)


def blind(parser: Parser, text: str) -> str:
    resume = parser.parse_resume_text(text)
    assert resume.blind_text is not None
    return resume.blind_text


def test_identity_leaves_and_the_work_stays(parser: Parser) -> None:
    resume = parser.parse_resume_text(HEADER + BODY)
    assert resume.contact.name == "Latoya Washington"
    out = resume.blind_text
    assert out is not None
    for gone in (
        "Latoya",
        "latoya.washington@example.com",
        "555",
        "linkedin",
        "2501",
        "Blackwelder",
        "73106",
        "1971",
        "Jamaican",
        "Married",
        "Female",
        "1993",
        "waitress",
        "she ",
        " her ",
        "chairwoman",
        "Sorority",
    ):
        assert gone not in out, gone
    # The work, the place worked and the skills stay; gendered words turn neutral.
    for kept in (
        "Head server and bartender; they trained new staff and ran their section alone.",
        "Restaurant Manager, Washington, DC",
        "grant management",
        "Microsoft Excel",
        "chair of the staff committee",
        "Bachelor of Arts : Hospitality, Howard University",
        "Student society",
        "MS Excel, cash handling",
        "Oklahoma City, OK",
    ):
        assert kept in out, kept
    # The recruiter's copy is the résumé as written.
    assert resume.text.startswith("Latoya Washington\n")
    assert "Sorority" in resume.text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Latoya Washington", "Susan Olson"),
        ("Jose Garcia", "Mei Nguyen"),
        ("Ms. Jordan Taylor", "Mr. Jordan Taylor"),
    ],
)
def test_only_the_name_differs_then_blind_texts_are_equal(
    parser: Parser, first: str, second: str
) -> None:
    def with_name(name: str) -> str:
        email = name.lower().replace("ms. ", "").replace("mr. ", "").replace(" ", ".")
        return f"{name}\n{email}@example.com | (555) 014-2231\n" + BODY

    assert blind(parser, with_name(first)) == blind(parser, with_name(second))


def test_a_name_part_elsewhere_is_left_alone_unless_whole(parser: Parser) -> None:
    out = blind(parser, HEADER + BODY + "References\nAsk Latoya Washington's last manager.\n")
    # "Washington, DC" is the city; the whole name is the person.
    assert "Washington, DC" in out
    assert "Latoya" not in out


def test_the_name_as_a_citation_writes_it_is_out(parser: Parser) -> None:
    # A list of publications cites its author surname first, whole or by initials.
    out = blind(
        parser,
        HEADER
        + "Publications\n"
        + "Washington, Latoya and Mei Nguyen (2019). Service at scale. Hospitality Review.\n"
        + "Washington, L. (2021). Tipping. Nguyen, M. and Washington, Latoya A. (2022).\n"
        + BODY,
    )
    assert "Latoya" not in out
    assert "Washington, L." not in out
    assert "Nguyen" in out  # a co-author is no one the blind text hides
    assert "Restaurant Manager, Washington, DC" in out


def test_words_that_only_look_personal_stay(parser: Parser) -> None:
    text = (
        "Summary\n"
        "Taught age-appropriate lessons to children aged 5 to 7; managed 15 people.\n"
        "Built MS SQL reports in 5 years on the way to a Master of Science (MS).\n"
        "Experience\n"
        "2009 St. Xavier's College, Mumbai: lecturer\n"
    )
    out = blind(parser, text)
    assert "age-appropriate lessons to children aged 5 to 7; managed 15 people." in out
    assert "MS SQL reports in 5 years on the way to a Master of Science (MS)." in out
    assert "2009 St. Xavier's College" in out


def test_a_first_name_that_is_also_a_title_is_the_name(parser: Parser) -> None:
    # O*NET lists "Tucker" as a job title.
    resume = parser.parse_resume_text("Tucker Snyder\ntucker@example.com\n" + BODY)
    assert resume.contact.name == "Tucker Snyder"
    assert "Tucker" not in resume.titles
    assert resume.blind_text is not None and "Tucker" not in resume.blind_text
    titled = parser.parse_resume_text("Accountant III\nSummary\nLedgers.\n")
    assert titled.contact.name is None


@pytest.mark.parametrize(
    "headline",
    # O*NET writes these only as "IT Manager (Information Technology Manager)", "Human
    # Resources Coordinator (HR Coordinator)" and, for the occupation, "Registered Nurses".
    ["IT MANAGER", "Registered Nurse", "HR Coordinator", "Information Technology Manager"],
)
def test_a_headline_that_is_a_title_is_no_name(parser: Parser, headline: str) -> None:
    # An anonymised résumé (as LiveCareer's are) opens on its title: taken for the name, it
    # was blinded wherever it stood, and words of it were no skills.
    resume = parser.parse_resume_text(f"{headline}\nSummary\nTen years on the job.\n")
    assert resume.contact.name is None
    assert [t.lower() for t in resume.titles] == [headline.lower()]


def test_every_demo_resume_has_a_blind_text_without_its_contacts(parser: Parser) -> None:
    checked = 0
    for record in demo_records(limit=40):
        resume = parser.parse_resume_text(str(record["text"]))
        assert resume.blind_text is not None
        for value in [*resume.contact.emails, *resume.contact.phones]:
            assert value not in resume.blind_text
            checked += 1
        if resume.contact.name:
            assert resume.contact.name not in resume.blind_text
    assert checked > 0
    sample = parser.parse_resume_text(RESUME_TEXT)
    assert sample.blind_text is not None and "Jordan Example" not in sample.blind_text
