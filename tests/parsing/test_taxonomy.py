from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from parsing import Parser, SkillEntry, Taxonomy

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data" / "taxonomy"


def test_shipped_taxonomy_merges_esco_and_onet() -> None:
    taxonomy = Taxonomy.load()
    sources = {s.source for s in taxonomy.skills.values()}
    assert sources == {"esco", "onet", "esco-listed"}
    assert len(taxonomy.skills) > 20_000
    assert any("ESCO classification of the European Commission" in a for a in taxonomy.attribution)
    assert any("CC BY 4.0" in a for a in taxonomy.attribution)
    labels = {s.label for s in taxonomy.skills.values()}
    assert {"Docker", "Kubernetes", "Python (computer programming)"} <= labels
    # An O*NET tool that ESCO also names is one skill, with the O*NET name as an alias.
    sql = [s for s in taxonomy.skills.values() if s.label == "SQL"]
    assert len(sql) == 1 and sql[0].source == "esco"


@pytest.mark.parametrize(
    "names",
    [
        # ESCO lists O*NET's name of the product among its own names for it.
        ("Objective C", "Objective-C"),
        ("IBM DB2", "DB2"),
        ("Jenkins CI", "Jenkins"),
        ("Rapid7 Nexpose", "Nexpose"),
        # ... or lists it without its vendor.
        ("Google Android", "Android"),
        ("Oracle Java", "Java"),
        ("GNU Image Manipulation Program GIMP", "GIMP"),
        # ESCO writes .NET "dot net", O*NET "Microsoft .NET Framework".
        (".NET", "dot net", "Microsoft .NET Framework", "Visual Studio .NET"),
        # ESCO parts ".NET" from Visual Basic with a space, O*NET does not; résumés write VB.
        (
            "Visual Basic .NET",
            "Microsoft Visual Basic.NET",
            "Visual Basic.NET",
            "VB.NET",
            "VB .NET",
        ),
        ("UML", "Unified modeling language UML", "unified modelling language"),
        ("Search engine optimization SEO software", "search engine optimisation", "SEO"),
        # O*NET names a product twice: with "software", its vendor, its acronym spelt out, a
        # feature.
        ("Epic Systems", "Epic Systems software", "Epic"),
        ("Bing", "Microsoft Bing"),
        ("RSS", "Really Simple Syndication RSS"),
        ("Esri ArcGIS", "ESRI ArcGIS software", "ESRI ArcGIS (analytical or scientific feature)"),
        # ESCO writes Microsoft's Office products with "Office".
        ("Excel", "Microsoft Excel", "Microsoft Office Excel"),
        ("Microsoft Word", "Microsoft Office Word"),
        # O*NET writes a kind of software as its words and acronym, ESCO as the acronym or
        # in the plural.
        ("CAD", "CAD software", "Computer aided design", "Computer aided design CAD software"),
        ("CAE", "CAE software", "Computer-aided engineering CAE software"),
        ("Database management software", "database management systems"),
        ("Learning management system LMS", "Learning management system", "LMS"),
        ("GIS", "Geographic information system GIS software", "geographic information systems"),
        ("Quality control software", "quality control systems"),
        # An acronym ESCO names one product by, whatever the words O*NET spells it with.
        ("MDX", "Multidimensional Expressions MDX"),
        ("Lisp", "LISP", "List processing language LISP"),
    ],
)
def test_a_skill_has_one_id_whichever_source_names_it(
    parser: Parser, names: tuple[str, ...]
) -> None:
    ids = set()
    for name in names:
        entry = parser.link_skill(name)
        assert entry is not None, name
        ids.add(entry.id)
    assert len(ids) == 1, names


@pytest.mark.parametrize(
    ("product", "other"),
    [
        # A product named with an acronym ESCO has: the acronym does not spell its name.
        ("SoftRisk Technologies SoftRisk SQL", "SQL"),
        ("AdTrack Customer Acquisition Management CAM", "CAM software"),
        ("Elite Software Plumbing CAD", "CAD software"),
        # ESCO's "assessment systems" is an alternative label of its "grading systems".
        ("Assessment software", "grading systems"),
    ],
)
def test_a_tool_is_not_merged_into_a_skill_it_only_shares_words_with(
    parser: Parser, product: str, other: str
) -> None:
    entry, named = parser.link_skill(product), parser.link_skill(other)
    assert entry is not None and named is not None
    assert entry.id != named.id
    assert entry.source == "onet"


def listed_under(parser: Parser, name: str, kind: str) -> SkillEntry:
    """The skill ``name`` links to, checked to be narrower than ESCO's ``kind`` and, in
    ESCO's terms, that kind (ESCO lists the name there): a match of the kind gives it partial
    credit."""
    skills = parser.taxonomy.skills
    entry = parser.link_skill(name)
    assert entry is not None
    assert [skills[b].label for b in entry.broader] == [kind]
    esco = parser.taxonomy.esco_concept(entry.id)
    assert esco is not None and skills[esco].label == kind
    return entry


@pytest.mark.parametrize(
    ("tool", "kind"),
    [
        ("Microsoft Excel", "use spreadsheets software"),
        ("Microsoft Visual Basic.NET", "computer programming"),
        ("Microsoft PowerPoint", "use presentation software"),
        ("Git", "tools for software configuration management"),
        ("Selenium", "tools for ICT test automation"),
        ("Adobe ColdFusion", "computer programming"),
        ("Atlassian Confluence", "use online tools to collaborate"),
        # Curated (scripts/skill_variants.csv): ESCO lists "Fortran" and "Subversion" among
        # computer programming's names, which the builder does not see as these tools'.
        ("Fortran", "computer programming"),
        ("Tcl", "computer programming"),
        ("Subversion", "tools for software configuration management"),
        # O*NET's kinds named by a practice that ESCO has as a skill (curated).
        ("Unit testing", "perform software unit testing"),
        ("Shell scripting", "use scripting programming"),
        ("Programming languages", "computer programming"),
    ],
)
def test_a_tool_that_esco_lists_under_a_kind_of_product_is_narrower(
    parser: Parser, tool: str, kind: str
) -> None:
    # The tool's name is the tool's, whatever its case.
    entry = listed_under(parser, tool, kind)
    assert entry.source == "onet"
    assert parser.link_skill(tool.lower()) == entry


@pytest.mark.parametrize(
    ("tool", "use"),
    [
        ("Word processing software", "use word processing software"),
        ("Microsoft Office", "use microsoft office"),
        # ESCO writes the plural.
        ("Spreadsheet software", "use spreadsheets software"),
        # One word between: the name has two of its own besides "software".
        ("Computer graphics", "operate 3D computer graphics software"),
    ],
)
def test_the_skill_esco_has_of_using_a_tool_is_above_it(
    parser: Parser, tool: str, use: str
) -> None:
    entry = listed_under(parser, tool, use)
    assert entry.source == "onet"


@pytest.mark.parametrize("tool", ["Graphics software", "Editing software", "Docker"])
def test_a_tool_esco_names_only_a_narrower_use_of_has_no_esco_skill(
    parser: Parser, tool: str
) -> None:
    # ESCO's "operate 3D computer graphics software" and "use photo editing software" are
    # narrower than any graphics or editing software; ESCO has no skill of using Docker.
    entry = parser.link_skill(tool)
    assert entry is not None and entry.source == "onet"
    assert parser.taxonomy.esco_concept(entry.id) is None


@pytest.mark.parametrize(
    ("product", "kind"),
    [
        ("GCC", "computer programming"),
        ("BizTalk", "computer programming"),
        ("KnockoutJS", "computer programming"),
        ("Balsamiq", "graphics editor software"),
        ("Trello", "use personal organization software"),
        ("NetBeans", "integrated development environment software"),
        ("Datalog", "query languages"),
    ],
)
def test_a_product_esco_lists_under_a_kind_is_a_skill_of_its_own(
    parser: Parser, product: str, kind: str
) -> None:
    # ESCO lists them among the kind's alternative labels; a candidate with GCC does not
    # have BizTalk, and a job asking for either is met only in part by the kind.
    entry = listed_under(parser, product, kind)
    assert (entry.source, entry.kind, entry.label) == ("esco-listed", "tool", product)
    assert product not in parser.taxonomy.skills[entry.broader[0]].aliases


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        # Another skill has the name too: ESCO lists OpenCV under computer vision as well.
        ("OpenCV", "computer programming"),
        # An acronym of the kind's own words.
        ("IDE", "integrated development environment software"),
    ],
)
def test_a_name_a_kind_lists_stays_its_own_when_it_is_no_product_of_it(
    name: str, kind: str
) -> None:
    by_label = {s.label: s for s in Taxonomy.load().skills.values() if s.source == "esco"}
    assert name in by_label[kind].aliases


def test_an_esco_skill_is_its_own_esco_concept_and_a_tool_esco_lacks_has_none(
    parser: Parser,
) -> None:
    taxonomy = parser.taxonomy
    for name in ("Python", "Java", "SQL Server"):
        entry = parser.link_skill(name)
        assert entry is not None and taxonomy.esco_concept(entry.id) == entry.id
    for name in ("Kubernetes", "Docker"):
        entry = parser.link_skill(name)
        assert entry is not None and entry.source == "onet"
        assert taxonomy.esco_concept(entry.id) is None
    assert taxonomy.esco_concept("free:event sourcing") is None


def test_a_one_word_name_of_another_product_is_compared_as_written(parser: Parser) -> None:
    # O*NET's "Real estate application contract transmission REACT software" is written
    # "REACT": it is no name of React, and both stay products of their own.
    react = parser.link_skill("React")
    assert react is not None and react.label == "React"
    other = parser.link_skill("Real estate application contract transmission REACT software")
    assert other is not None and other.id != react.id


@pytest.mark.parametrize("written", ["CIS", "DL", "ACE", "ES"])
def test_an_acronym_of_part_of_a_products_name_names_nothing(parser: Parser, written: str) -> None:
    # "ChemSW Chemical Inventory System CIS", "Diffraction Limited MaxIm DL": the product is
    # still found by its name, but "CIS" alone is not it.
    assert parser.link_skill(written) is None


@pytest.mark.parametrize(
    "american, british",
    [
        ("analyze data", "analyse data"),
        ("labor laws", "labour laws"),
        ("prioritize tasks", "prioritise tasks"),
        ("behavior disorders", "behaviour disorders"),
        ("carbon fiber", "carbon fibre"),
    ],
)
def test_an_esco_label_is_spelt_the_american_way_too(
    parser: Parser, american: str, british: str
) -> None:
    assert parser.link_skill(british) is not None
    assert parser.link_skill(american) == parser.link_skill(british)


def test_an_american_spelling_that_names_another_skill_is_left_to_it(parser: Parser) -> None:
    # ESCO lists "three-dimensional modelling" among the names of 3D modelling; its American
    # spelling is O*NET's "Three-dimensional modeling software" (without "software").
    by_label = {s.label: s for s in Taxonomy.load().skills.values() if s.source == "esco"}
    assert "three-dimensional modelling" in by_label["3D modelling"].aliases
    assert "three-dimensional modeling" not in by_label["3D modelling"].aliases
    assert parser.link_skill("three-dimensional modeling").label == (
        "Three-dimensional modeling software"
    )


def test_a_label_esco_writes_with_a_doubled_space_is_found_in_text() -> None:
    # ESCO's alternative labels "organizational  structure", "organizational  policies".
    labels = [lab for s in Taxonomy.load().skills.values() for lab in (s.label, *s.aliases)]
    assert not [lab for lab in labels if lab != " ".join(lab.split())]
    line = "Analyze business requirements and organizational policies."
    found = Parser(use_tagger=False).find_skills(line)
    assert [m.label for m in found] == [
        "analyse business requirements",
        "organisational policies",
    ]


def test_a_transversal_skill_counts_every_occupation() -> None:
    # ESCO relates "work in teams" to no occupation: it serves every one.
    by_label = {s.label: s for s in Taxonomy.load().skills.values() if s.source == "esco"}
    most = max(s.occupations for s in by_label.values())
    assert by_label["work in teams"].occupations == by_label["solve problems"].occupations == most
    assert by_label["lead a team"].occupations < most


@pytest.mark.skipif(not SOURCE.is_dir(), reason="../shared/data/taxonomy is not beside the repo")
def test_build_script_reproduces_the_shipped_artifact(tmp_path: Path) -> None:
    out = tmp_path / "taxonomy.json.gz"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_taxonomy.py"),
            "--source",
            str(SOURCE),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    shipped = (resources.files("parsing") / "data" / "taxonomy.json.gz").read_bytes()
    assert out.read_bytes() == shipped


GOLD = ROOT.parent / "shared" / "data" / "skills-gold"


@pytest.mark.slow
@pytest.mark.skipif(not GOLD.is_dir(), reason="../shared/data/skills-gold is not beside the repo")
def test_the_tagger_was_trained_on_what_the_script_feeds_it() -> None:
    """The tagger reads taxonomy matches: a taxonomy (or feature, or data) change without
    retraining fails here. The training sequences are compared with the hash on the model
    card, without training (which the test below does, with --retrain)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_skill_tagger.py"), "--check"],
        check=True,
        capture_output=True,
    )


@pytest.mark.retrain
@pytest.mark.skipif(not GOLD.is_dir(), reason="../shared/data/skills-gold is not beside the repo")
def test_training_script_reproduces_the_shipped_tagger(tmp_path: Path) -> None:
    """Training again gives the shipped model, byte for byte (2.5 minutes: --retrain)."""
    out = tmp_path / "tagger.crfsuite"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_skill_tagger.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    shipped = (resources.files("parsing") / "data" / "skill_tagger.crfsuite").read_bytes()
    assert out.read_bytes() == shipped
