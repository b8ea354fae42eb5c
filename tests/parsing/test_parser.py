from __future__ import annotations

import datetime as dt

import pytest

from models import InvalidInput
from parsing import Kind, Parser
from parsing._blind import may_stand_in_name
from parsing._evidence import years_stated_for
from parsing._extract import decode_escaped_bytes, restore_line_breaks
from parsing._sections import find_sections
from parsing.parser import FREE_WORD_SUPPORT, english_words
from tests.documents import RESUME_TEXT, demo_records, docx_bytes, pdf_bytes

TODAY = dt.date(2026, 11, 1)


def test_sections_contact_titles_and_years(parser: Parser) -> None:
    resume = parser.parse_resume_text(RESUME_TEXT, today=TODAY)
    names = [s.name for s in resume.sections]
    assert names == ["header", "summary", "experience", "education", "skills"]
    assert resume.contact.name == "Jordan Example"
    assert resume.contact.emails == ["jordan.example@example.org"]
    assert resume.contact.phones == ["+1 415 555 0134"]
    assert resume.contact.links == ["https://github.com/jordan-example"]
    assert "Senior Data Engineer" in resume.titles
    assert "Data Analyst" in resume.titles
    # Mar 2015 – Dec 2018 and Jan 2019 – Nov 2026, no overlap: 3.75 + 7.83 years.
    assert resume.years_experience == pytest.approx(11.6, abs=0.1)


def test_every_skill_span_slices_the_text_exactly(parser: Parser) -> None:
    with_skills = 0
    for record in demo_records(limit=60):
        resume = parser.parse_resume_text(str(record["text"]))
        with_skills += bool(resume.skills)
        for skill in resume.skills:
            assert resume.text[skill.start : skill.end] == skill.text
    assert with_skills >= 55


def test_skills_are_canonical_across_sources(parser: Parser) -> None:
    found = {s.text: s for s in parser.find_skills(RESUME_TEXT)}
    # O*NET names the tools ESCO lacks.
    assert found["Kubernetes"].id.startswith("onet:")
    assert found["Docker"].id.startswith("onet:")
    assert found["AWS"].label == "Amazon Web Services AWS software"
    # ESCO's "Python (computer programming)" is written "Python".
    assert found["Python"].label == "Python (computer programming)"
    assert found["SQL"].label == "SQL"
    assert found["R"].label == "R"
    assert found["Microsoft Excel"].id == parser.find_skills("Excel")[0].id


def test_tokens_keep_skill_names_whole_and_split_lists(parser: Parser) -> None:
    text = "Node.js, C++ and C#/.NET (ASP.NET); T-SQL, TCP/IP. Skills:Python,Java.Next  R&D"
    doc = parser.nlp.make_doc(text)
    assert doc.text == text
    assert [t.text for t in doc if not t.is_space] == [
        "Node.js", ",", "C++", "and", "C#", "/", ".NET", "(", "ASP.NET", ")", ";",
        "T", "-", "SQL", ",", "TCP", "/", "IP", ".", "Skills", ":", "Python", ",", "Java",
        ".", "Next", "R&D",
    ]  # fmt: skip
    found = {m.text for m in parser.find_skills("Stack: C#/.NET, T-SQL and Node.js.")}
    assert {"C#", ".NET", "T-SQL", "Node.js"} <= found


def test_a_bracket_glued_between_words_splits_them(parser: Parser) -> None:
    # dotin résumés' lines: "C#(2" and "Eclipse[Pydev" were one token each, no skill in it.
    doc = parser.nlp.make_doc("Languages: C#(2 years) .NET(1 year), PL/SQL(Oracle 9)")
    assert [t.text for t in doc if not t.is_space] == [
        "Languages", ":", "C#", "(", "2", "years", ")", ".NET", "(", "1", "year", ")", ",",
        "PL", "/", "SQL", "(", "Oracle", "9", ")",
    ]  # fmt: skip
    found = {m.text for m in parser.find_skills("Languages: C#(2 years) .NET(1 year)")}
    assert {"C#", ".NET"} <= found
    found = {m.text for m in parser.find_skills("IDE's Pycharm, Eclipse[Pydev plugin], Vim")}
    assert "Eclipse" in found


@pytest.mark.parametrize(
    ("line", "skills"),
    [
        # dotin résumés' own lines: "Word", "Outlook", "Power Point" were free skills, no
        # match for a job asking for Microsoft Word.
        (
            "Web Design, Computer Business Applications, Word, Excel, Power  Point, Outlook",
            ["Microsoft Word", "Microsoft Excel", "Microsoft PowerPoint", "Microsoft Outlook"],
        ),
        (
            "Experienced with MS Word, Excel, Powerpoint, and Outlook.",
            ["Microsoft Word", "Microsoft Excel", "Microsoft PowerPoint", "Microsoft Outlook"],
        ),
        (
            "Software: Netbeans, Eclipse, Visual Studio, MS Project, MS Visio, Aptana Studio",
            ["Microsoft Project"],
        ),
        ("Operating Systems: Mac OSX, Windows XP professional, UNIX.", ["Apple macOS"]),
        (
            "Bugzilla, Jira  : Share Point  : IIS 5.0, Apache, Tomcat",
            ["Microsoft SharePoint", "Microsoft Internet Information Services (IIS)"],
        ),
        (
            "Middleware Integration and J2EE based applications.",
            ["Oracle Java 2 Platform Enterprise Edition J2EE"],
        ),
        # ... and methods by a name ESCO does not list.
        (
            "Efficient in SDLC, Waterfall, V-model, Agile framework and Onshore-Offshore",
            ["systems development life-cycle"],
        ),
        (
            "Experience in all the phases of Software Development Life Cycle (SDLC).",
            ["systems development life-cycle"],
        ),
        (
            "• Business Case Assessment • Six Sigma • SDLC & UML Framework • Quality Assurance",
            ["six sigma methods", "systems development life-cycle"],
        ),
    ],
)
def test_products_as_resumes_list_them(parser: Parser, line: str, skills: list[str]) -> None:
    labels = [m.label for m in parser.find_skills(line)]
    assert all(s in labels for s in skills), labels


@pytest.mark.parametrize(
    "text", ["Word of mouth referrals grew 20%.", "Listed on the New York Stock Exchange."]
)
def test_an_office_products_word_in_prose_is_no_skill(parser: Parser, text: str) -> None:
    # "Word", "Exchange" name Microsoft's products only where a list or the tagger says so.
    assert parser.find_skills(text) == []


def test_a_lone_ordinary_word_the_tagger_is_unsure_of_is_no_skill(parser: Parser) -> None:
    # Real dotin lines (CC0). The tagger marks "Databases" and "designing", each under even
    # odds; "Databases" heads a line of its own, "designing" is listed with other skills.
    def tagged(line: str) -> dict[str, float]:
        doc = parser._doc(line)
        matches = parser.skill_matches(doc, as_written=True)
        tags = parser.tagger.tag(doc, matches, find_sections(line), "resume")
        return {doc[a:b].text: float(tags.probability[a]) for a, b in tags.ranges}

    line = "• Databases: Oracle, Mysql"
    assert tagged(line)["Databases"] < FREE_WORD_SUPPORT
    assert [m.text for m in parser.find_skills(line)] == ["Oracle", "Mysql"]
    listed = "• Requirements gathering, designing, development and testing."
    assert tagged(listed)["designing"] < FREE_WORD_SUPPORT
    assert "designing" in {m.text for m in parser.find_skills(listed)}


def test_csharp_on_dotnet_is_both(parser: Parser) -> None:
    # A dotin résumé's skills line: "C#.net" was one token, no skill (C# was missed).
    line = "C, C#.net, Asp.net MVC 5, Entity Framework 6, Microsoft Office"
    assert [t.text for t in parser.nlp.make_doc(line)][:5] == ["C", ",", "C#", ".net", ","]
    found = parser.find_skills("Languages: C#.NET, VB.NET, Java")
    assert {(m.text, m.label) for m in found} >= {
        ("C#", "C#"),
        (".NET", "Visual Studio .NET"),
        ("VB.NET", "Microsoft Visual Basic.NET"),
    }
    # The tagger marks "C#.net" as one phrase; it is C#, not the free skill "c#.net".
    assert "C#" in {m.label for m in parser.find_skills(line)}


def test_short_labels_match_only_as_written(parser: Parser) -> None:
    texts = [s.text for s in parser.find_skills("Go to the r&d lab. We use R and C daily, or c.")]
    assert "R" in texts and "C" in texts
    assert "r" not in texts and "c" not in texts and "Go" not in texts


def test_a_name_with_a_sign_is_no_ambiguous_short_word(parser: Parser) -> None:
    """Where "C" must be listed with another skill to count, "C#" (no word, no initials)
    counts alone."""
    # Real dotin sentences (CC0), and the first with C for C#. ("C code was added…" may
    # well mean the language C: the tagger marks it.)
    lines = [
        "Programmed a client application multithreading - {} with .NET CF 2.0 for a "
        "Windows CE 5.0 platform",
        "{} code was added to specific reports when customization was required.",
    ]
    for line in lines:
        assert "C#" in [m.text for m in parser.find_skills(line.format("C#"))]
    assert "C" not in [m.text for m in parser.find_skills(lines[0].format("C"))]


def test_longest_label_wins(parser: Parser) -> None:
    skills = parser.find_skills("Experience in machine learning and Apache Spark.")
    assert [s.text for s in skills] == ["machine learning", "Apache Spark"]


def test_skill_sections(parser: Parser) -> None:
    resume = parser.parse_resume_text(RESUME_TEXT)
    sections = {s.text: s.section for s in resume.skills}
    assert sections["Tableau"] == "experience"
    assert sections["Git"] == "skills"


@pytest.mark.parametrize(
    ("heading", "section"),
    # Headings of LiveCareer's résumé templates.
    [
        ("Career Focus", "summary"),
        ("Professional Overview", "summary"),
        ("Core Strengths", "skills"),
        ("Summary of Skills", "skills"),
        ("Core Accomplishments", "experience"),
        ("Activities and Honors", "awards"),
        ("Professional Affiliations", "interests"),
    ],
)
def test_template_headings(parser: Parser, heading: str, section: str) -> None:
    text = f"{heading}\nBudgeting, payroll and QuickBooks\n"
    resume = parser.parse_resume_text(text)
    assert [s.name for s in resume.sections] == [section]
    # A heading is no name, even as the first line.
    assert resume.contact.name is None


def test_pdf_and_docx_parse_to_the_same_skills(parser: Parser) -> None:
    from_pdf = parser.parse_resume_bytes(pdf_bytes(), "cv.pdf")
    from_docx = parser.parse_resume_bytes(docx_bytes(), "cv.docx")
    assert from_pdf.format == "pdf" and from_docx.format == "docx"
    assert from_pdf.skill_ids() == from_docx.skill_ids()
    assert from_pdf.skill_ids() == parser.parse_resume_text(RESUME_TEXT).skill_ids()


def test_job_must_and_nice_to_have(parser: Parser) -> None:
    job = parser.parse_job(
        "Data Engineer\n\nRequirements\n- Python and SQL\n- Experience with Apache Spark\n"
        "- Kubernetes is a plus\n\nNice to have\n- Terraform\n"
    )
    assert job.title == "Data Engineer"
    required = {s.text for s in job.required()}
    preferred = {s.text for s in job.preferred()}
    assert required == {"Python", "SQL", "Apache Spark"}
    assert preferred == {"Kubernetes", "Terraform"}


def test_job_title_given_wins(parser: Parser) -> None:
    job = parser.parse_job("We need someone who knows Python.", title="Backend Developer")
    assert job.title == "Backend Developer"


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_texts_are_refused(parser: Parser, text: str) -> None:
    with pytest.raises(InvalidInput):
        parser.parse_resume_text(text)
    with pytest.raises(InvalidInput):
        parser.parse_job(text)


def test_huge_text_is_refused(parser: Parser) -> None:
    with pytest.raises(InvalidInput, match="over the limit"):
        parser.find_skills("Python " * 50_000)


@pytest.mark.parametrize(
    ("phrase", "label"),
    [
        ("Python", "Python (computer programming)"),
        ("  python ", "Python (computer programming)"),
        ("Postgres", "PostgreSQL"),
        ("excel", "Microsoft Excel"),
        ("use spreadsheets software", "use spreadsheets software"),
        # An O*NET acronym that abbreviates the whole name, its vendor aside, names the
        # product (scripts/build_taxonomy.py).
        ("AWS", "Amazon Web Services AWS software"),
        ("SSRS", "Microsoft SQL Server Reporting Services SSRS"),
        ("SAX", "Simple API for XML SAX"),
        # A word may give more than its first letter: HyperText, JavaScript, JavaServer.
        ("HTML", "Hypertext markup language HTML"),
        ("JSON", "JavaScript Object Notation JSON"),
        ("JSP", "Oracle JavaServer Pages JSP"),
        ("SVN", "Apache Subversion SVN"),
        ("COBOL", "COBOL"),
        ("XML", "Extensible markup language XML"),
        # One that spells a part names the kind of thing: any LMS, not Beeline's.
        ("LMS", "learning management systems"),
        ("PLM", "Product lifecycle management PLM software"),
        # Several tools of that acronym: the one most occupations list.
        ("CMS", "Content management systems CMS"),
        # A curated variant is its skill's alone ("Automate the Schools ATS" is a tie).
        ("AI", "principles of artificial intelligence"),
        ("artificial intelligence", "principles of artificial intelligence"),
        ("ATS", "Applicant tracking software"),
        ("ML", "machine learning"),
        # A name extraction matches only as written is linked as written.
        ("Spark", "Apache Spark"),
        ("SPARK", "SPARK"),
        # A product is written without its vendor when the rest still reads as a name.
        ("Crystal Reports", "SAP Crystal Reports"),
        ("JMP", "SAS JMP"),
        ("SolidWorks", "Dassault Systemes SolidWorks"),
        ("Westlaw", "Thomson Reuters Westlaw"),
        ("Enterprise Linux", "Red Hat Enterprise Linux"),
        ("Windows", "Microsoft Windows"),
        ("Airflow", "Apache Airflow"),
        # An acronym the product's own name spells comes before a vendor's product.
        ("SCM", "Source code management SCM software"),
        # A brand written alone, its kind of product or edition aside (curated).
        ("SPSS", "IBM SPSS Statistics"),
        ("WebLogic", "Oracle WebLogic Server"),
        ("EC2", "Amazon Elastic Compute Cloud EC2"),
        ("LoadRunner", "Hewlett Packard LoadRunner"),
        # Linux distributions neither source names (curated).
        ("RHEL", "Red Hat Enterprise Linux"),
        ("Redhat", "Red Hat Enterprise Linux"),
        ("Debian", "Linux"),
        ("CentOS", "Linux"),
        # Medical coding, not ESCO's cable-propelled transit, which also lists "CPT".
        ("CPT", "Current procedural terminology CPT software"),
        # Names several skills list, as résumés mean them (curated): any ERP system, not
        # SAP's; a point of sale, not ESCO's proof of stake; Microsoft's directory.
        ("ERP", "Enterprise resource planning ERP software"),
        ("POS", "Point of sale POS software"),
        ("GPS", "Global positioning system GPS software"),
        ("Active Directory", "Microsoft Active Directory"),
    ],
)
def test_link_skill_by_label(parser: Parser, phrase: str, label: str) -> None:
    entry = parser.link_skill(phrase)
    assert entry is not None and entry.label == label


@pytest.mark.parametrize(
    "word",
    [
        *("Reports", "Inventory", "Clinical", "Director", "Video", "Money", "Derivatives"),
        # A place and a word (Corel Ventura, Cerner Millennium): "Ventura, CA".
        *("Ventura", "Millennium"),
    ],
)
def test_an_ordinary_word_is_no_vendors_product(parser: Parser, word: str) -> None:
    # Oracle Reports, Oracle Inventory, Adobe Director, Google Video, Wolfram Research
    # Derivatives: "Skills: Reports, Inventory" lists no product of theirs.
    entry = parser.link_skill(word)
    assert entry is None or entry.source == "esco", entry
    found = parser.find_skills(f"Skills\nScheduling, {word}, Customer service\n")
    assert all(m.id.startswith(("esco:", "free:")) for m in found), found


@pytest.mark.parametrize(
    "line",
    [
        # Real lines of dotin résumés (CC0). ESCO broke "compile information on facilities,
        # equipment, and procedures" across lines, leaving "and procedures" an alternative
        # label of "compile airport certification manuals".
        "• Develop and/or update all policies and procedures",
        "• Importing and activating views and procedures.",
        "Introduced new educational technology and procedures to educators at the high school",
    ],
)
def test_the_end_of_a_label_esco_broke_across_lines_names_nothing(
    parser: Parser, line: str
) -> None:
    assert parser.link_skill("and procedures") is None
    found = parser.find_skills(line)
    assert all("airport" not in m.label for m in found), found


def test_link_skill_unknown(parser: Parser) -> None:
    assert parser.link_skill("underwater basket weaving for llamas") is None


@pytest.mark.parametrize(
    ("apart", "whole"),
    [
        # As dotin's, LiveCareer's and SkillSpan's texts write them; each was a free skill
        # of its own, or linked to another skill ("elastic search": search engine
        # optimisation, "spring-boot": types of spring).
        ("Mongo DB", "MongoDB"),
        ("Solid Works", "SolidWorks"),
        ("Auto-Cad", "AutoCAD"),
        ("VB Script", "VBScript"),
        ("LotusNotes", "Lotus Notes"),
        ("elastic search", "Elasticsearch"),
        ("spring-boot", "Spring Boot"),
    ],
)
def test_a_name_written_apart_or_run_together_is_its_skill(
    parser: Parser, apart: str, whole: str
) -> None:
    entry = parser.link_skill(apart)
    assert entry is not None and entry == parser.link_skill(whole)


def test_a_word_with_its_prefix_apart_is_no_name(parser: Parser) -> None:
    # "Multitask" is an O*NET product; "multi task" is the word.
    product = parser.link_skill("Multitask")
    assert product is not None and product.source == "onet"
    assert parser.link_skill("multi task") is None
    # Short of five letters, parts joined are no name: "N ET" is not ".NET".
    assert parser.link_skill("N ET") is None


def test_names_written_apart_in_a_resume_are_their_skills(parser: Parser) -> None:
    found = parser.find_skills("Software\nSolid Works, Auto-Cad, MS Office\n")
    assert [(m.text, m.label) for m in found] == [
        ("Solid Works", "Dassault Systemes SolidWorks"),
        ("Auto-Cad", "Autodesk AutoCAD"),
        ("MS Office", "Microsoft Office software"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        # dotin lines (CC0): a season and places, not the framework.
        "Journal of Economic Perspectives, Vol. 29, No. 2 (Spring, 2015): Pp. 239258",
        "Spring 2006  Used machine learning and link analysis techniques",
        "Silver Spring, MD",
    ],
)
def test_spring_the_season_or_a_place_is_no_framework(parser: Parser, line: str) -> None:
    assert all(m.text != "Spring" for m in parser.find_skills(line))


def texts(parser: Parser, sentence: str) -> list[str]:
    return [m.text for m in parser.find_skills(sentence)]


@pytest.mark.parametrize(
    ("sentence", "present", "absent"),
    [
        # Short names: a skill in a list, an ordinary word elsewhere.
        ("Statistical modelling in R and SAS; scripting in Python.", {"R", "SAS", "Python"}, set()),
        ("Embedded firmware in C and C++ for ARM microcontrollers.", {"C", "C++"}, set()),
        ("Backend services in Java, Go and Kotlin.", {"Go", "Java", "Kotlin"}, set()),
        ("Go to market planning for the new product line.", set(), {"Go"}),
        ("iOS apps in Swift and Objective-C.", {"Swift", "Objective-C"}, set()),
        # "Excel" the verb against Excel the spreadsheet.
        ("Excel at building relationships with customers.", set(), {"Excel"}),
        ("Built monthly reports in Excel and Access.", {"Excel", "Access"}, set()),
        ("Access to senior stakeholders across the business.", set(), {"Access"}),
        # ... but listed with another skill where a sentence opens, a skill (dotin lines).
        ("• Operating systems: Windows and Linux", {"Windows", "Linux"}, set()),
        ("Computer Skills: PC and Mac; Windows 2000 and XP;", {"PC"}, set()),
        # "Chef" the job against Chef the configuration tool.
        ("Chef at a busy Italian restaurant for five years.", set(), {"Chef"}),
        ("Configuration management with Chef and Puppet.", {"Chef", "Puppet"}, set()),
        # Negation.
        (
            "No experience with Kubernetes yet, but strong Docker skills.",
            {"Docker"},
            {"Kubernetes"},
        ),
        ("Not familiar with Scala.", set(), {"Scala"}),
        # Lists and slashes.
        ("Languages: Java/Scala/Python", {"Java", "Scala", "Python"}, set()),
        # Employers, schools, degrees and places named like skills (lines of dotin's CC0
        # résumés) against the same names used as skills.
        ("Software Engineering Intern, Google, Mountain View.", set(), {"Google"}),
        # A product the tagger reads more as part of a name than as a skill (dotin lines).
        ("♣ Extended complete sales support to Oracle North America Alliances", set(), {"Oracle"}),
        (
            "• Made extensive modifications to the internal Google Data APIs engine",
            set(),
            {"Google"},
        ),
        ("Bachelor of Arts in Psychology and History, May 2012", set(), {"Psychology", "History"}),
        (
            "Lab Administrator\n\nHCL Cisco -  Chennai, Tamil Nadu -\n\nMay 2003",
            set(),
            {"Cisco", "Tamil"},
        ),
        # A province after a city is part of the place (a dotin résumé's header); "QC" is
        # quality control in a list of tools (a dotin line).
        (
            '"Derek Kub    1255 University, Montreal, QC    123 345-7890    PROFILE  I am a'
            " competent analyst programmer with a solid expertise in the information technology"
            " industry, mainly  under Windows platform, using C/C++/C# languages and MFC",
            {"Windows", "C++"},
            {"QC"},
        ),
        ("Defect Management Tools: AIT ( Accenture Intelligent Testing), QC", {"QC"}, set()),
        ("Tracked campaigns in Google Analytics and Google Ads.", {"Google Analytics"}, set()),
        ("Environment: Oracle 10g, PL/SQL, Unix", {"Oracle 10g", "PL/SQL", "Unix"}, set()),
        # Variants that neither ESCO nor O*NET lists.
        (
            "Deployed microservices to k8s on GCP with Postgres and Node.js.",
            {"k8s", "GCP", "Postgres", "Node.js"},
            set(),
        ),
        # Words spaCy lists as stop words begin skills' names: a phrase keeps them.
        (
            "Skills: Six Sigma, Front End development, Tableau",
            {"Six Sigma", "Front End development", "Tableau"},
            {"Sigma", "End development"},
        ),
    ],
)
def test_hard_cases(parser: Parser, sentence: str, present: set[str], absent: set[str]) -> None:
    found = set(texts(parser, sentence))
    assert present <= found, found
    assert not (absent & found), found


def test_variants_link_to_one_canonical_skill(parser: Parser) -> None:
    a = {m.text: m.id for m in parser.find_skills("Frontend in JS and JavaScript, MS Excel, Excel")}
    assert a["JS"] == a["JavaScript"]
    assert a["MS Excel"] == a["Excel"]


def test_a_soft_skill_named_by_a_noun_is_escos_transversal_skill(parser: Parser) -> None:
    # ESCO names them by what one does; posts and résumés by a noun. One id either way, so
    # a post's "problem-solving" finds the résumé that lists "Solve problems".
    job = parser.parse_job(
        "Customer Success Manager\nRequirements\n"
        "- Excellent problem-solving and time management skills\n"
        "- A team player with strong attention to detail\n"
    )
    asked = {s.text: s.label for s in job.skills}
    assert asked == {
        "problem-solving": "solve problems",
        "time management": "manage time",
        "team player": "work in teams",
        "attention to detail": "attend to detail",
    }
    resume = parser.parse_resume_text(
        "Skills\nTeamwork, Critical thinking, Decision making, Solve problems\n"
        "Experience\nLed a company initiative that gave staff flexibility.\n"
    )
    held = {s.text: s.label for s in resume.skills}
    assert held == {
        "Teamwork": "work in teams",
        "Critical thinking": "think critically",
        "Decision making": "make decisions",
        "Solve problems": "solve problems",
    }
    assert parser.link_skill("teamwork") == parser.link_skill("work in teams")


def test_case_matters_for_acronyms(parser: Parser) -> None:
    assert "SAP" in texts(parser, "Implemented SAP modules for finance.")
    assert "sap" not in texts(parser, "The maple sap was collected in spring.")


@pytest.mark.parametrize(
    ("line", "kind", "named"),
    [
        # Real dotin lines (CC0): names the taxonomy writes otherwise, written in other cases.
        (
            "JMeter, Junit, NUNit, MoQ, Fluent Assertions, VSTS, GIT, Microsoft Test Manager",
            "resume",
            {"Junit": "JUnit", "NUNit": "NUnit"},
        ),
        (
            "• Developed underwriting support applications using asp.net MVC / Web API.",
            "resume",
            {"asp.net": "ASP.NET"},
        ),
        # Written with a capital alone in the taxonomy ("Redis"): found when listed.
        (
            "Skills: kubernetes, postgres, docker, terraform, mongodb, redis",
            "resume",
            {"mongodb": "MongoDB", "redis": "Redis", "terraform": "IBM Terraform"},
        ),
        # Methods and frameworks named by a word of their own (curated variants). Real lines
        # of dotin résumés (CC0) and a SkillSpan dev post (MIT): each name was a free skill,
        # or linked to ESCO's springs for machines.
        ("Java [Core, JEE, Spring, Hibernate]", "resume", {"Spring": "Spring Framework"}),
        (
            "XAML, ATDD, SOLID, SOA, Scrum, Robot Framework, TDD",
            "resume",
            {"Scrum": "ICT project management methodologies"},
        ),
        (
            "• Have integrated web services including SOAP as well as REST using Mule ESB.",
            "resume",
            {"REST": "RESTful API"},
        ),
        (
            "We value: documentation test coverage code review CI/CD and great team spirit .",
            "job",
            {"CI/CD": "Continuous integration software"},
        ),
        # Software named shorter than ESCO or O*NET name it (dotin lines).
        (
            "Java/J2EETechnologies Java, Servlets, JSP, JDBC, EJB, JMS",
            "resume",
            {"Servlets": "Sun Microsystems Java Servlet API", "EJB": "Enterprise JavaBeans"},
        ),
        (
            "• Manage and troubleshoot the running of automated jobs in Jenkins, TFS to support",
            "resume",
            {"TFS": "Microsoft Team Foundation Server"},
        ),
        ("Sql Server, Ssis, T-SQL, ETL, SSRS", "resume", {"T-SQL": "Transact-SQL"}),
        ("Scripting Languages: Shell Scripting", "resume", {"Shell Scripting": "Shell script"}),
        # Languages and tools that ESCO lists among computer programming's names (dotin
        # lines): each is its own tool, not any programming.
        (
            "ORACLE (3 years), JAVA (3 years), SOAP (2 years), Subversion (2 years), SVN (2 years)",
            "resume",
            {"Subversion": "Apache Subversion SVN", "SVN": "Apache Subversion SVN"},
        ),
        (
            "Professional: .NET, .NET CF, C#, C++ (MFC), C, Fortran, Cobol, Motif, Xlib",
            "resume",
            {"Fortran": "Formula translation/translator FORTRAN"},
        ),
        (
            "Lua, Pascal, Perl, PHP, PL/SQL, SQL, Tcl, UNIX Shell Scripting, VBScript",
            "resume",
            {"Tcl": "Tool command language Tcl"},
        ),
        # A SkillSpan dev post (MIT).
        (
            "Test automation and load generation: e.g. Selenium WebDriver AngularJS Protractor "
            "LoadRunner JMeter",
            "job",
            {"AngularJS": "Angular"},
        ),
    ],
)
def test_a_name_as_a_text_writes_it_is_its_skill(
    parser: Parser, line: str, kind: Kind, named: dict[str, str]
) -> None:
    found = {m.text: m.label for m in parser.find_skills(line, kind=kind)}
    assert {text: found.get(text) for text in named} == named


@pytest.mark.parametrize(
    "line",
    [
        # Real dotin lines (CC0). "PEET" and "Multitask software" are O*NET products, and
        # "Peet" a surname, "multitask" a verb.
        " Fitch, D., Peet, M., Reed, B.G., & Tolman, R. (2008). The use of ePortfolios in",
        "Demonstrated ability to work well under pressure, follow instruction and multitask",
    ],
)
def test_a_word_that_is_a_product_in_capitals_is_no_product(parser: Parser, line: str) -> None:
    for kind in ("resume", "job"):
        labels = {m.label for m in parser.find_skills(line, kind=kind)}
        assert not labels & {"Python Experimental Economics Toolkit PEET", "Multitask software"}


def test_a_name_recased_is_no_english_word(parser: Parser) -> None:
    # "excel", "spark", "java" are words of English (the tokenizer's vocabulary), so only as
    # written do they name Excel, Apache Spark, Java; "javascript" is no word.
    assert {"excel", "spark", "java"} <= english_words()
    assert "javascript" not in english_words()
    doc = parser.nlp.make_doc("excel, spark, java, javascript")
    assert [m.text for m in parser.skill_matches(doc)] == ["javascript"]


@pytest.mark.parametrize(
    ("line", "kind", "expected"),
    [
        # Real dotin lines (CC0) and a SkillSpan dev line (MIT): the tagger marks the list
        # as one phrase, in which the taxonomy knows one skill. Before, the whole phrase was
        # that skill, and what it was listed with was lost.
        (
            " Areas of interest include Digital Signal Processing, Embedded Systems and "
            "Computer Networks",
            "resume",
            {"Embedded Systems": "embedded systems", "Computer Networks": "free:computer networks"},
        ),
        (
            " remote datacenter. Primarily create custom CMS and E-Commerce solutions for",
            "resume",
            {
                "CMS": "Content management systems CMS",
                "E-Commerce solutions": "free:e-commerce solutions",
            },
        ),
        (
            "Infrastructure sizing / capacity planning",
            "job",
            {
                "capacity planning": "Capacity planning software",
                "Infrastructure sizing": "free:infrastructure sizing",
            },
        ),
        # One word listed shares the skill's noun: no skill of its own.
        ("verbal and written english skills", "job", {"english": "English"}),
    ],
)
def test_a_skill_listed_in_one_tagged_phrase_keeps_what_it_is_listed_with(
    parser: Parser, line: str, kind: Kind, expected: dict[str, str]
) -> None:
    found = {
        m.text: m.id if m.id.startswith("free:") else m.label
        for m in parser.find_skills(line, kind=kind)
    }
    assert {text: found.get(text) for text in expected} == expected


@pytest.mark.parametrize(
    ("line", "skill"),
    [
        # Lines of dotin résumés' skills sections (CC0). The tagger gives these matches too
        # little support in their lists, the section and the commas make them claims.
        (
            "● Leadership, strong skills in Leadership, Motivation, Negotiation, Team building,"
            " Mentoring,",
            "Team building",
        ),
        (
            "Active Directory, Wireshark, Splunk, Nessus, PatchLink, Nmap,  Net Beans, MS Office,"
            " MS Visio",
            "MS Office",
        ),
        (
            "Collaboration, Conflict resolution, Building a world-class team",
            "Conflict resolution",
        ),
    ],
)
def test_a_taxonomy_match_listed_in_a_skills_section_is_a_claim(
    parser: Parser, line: str, skill: str
) -> None:
    found = {m.text: m.section for m in parser.find_skills(f"Jane Doe\n\nSkills\n{line}\n")}
    assert found.get(skill) == "skills", found


def test_hobbies_are_not_professional_skills(parser: Parser) -> None:
    resume = parser.parse_resume_text(
        "Jane Doe\n\nSkills\nPython, SQL, teamwork\n\nHobbies\nswimming, photography, cooking\n"
    )
    found = {m.text: m.section for m in resume.skills}
    assert found.get("Python") == "skills"
    assert not {"swimming", "photography", "cooking"} & set(found)


# A résumé as many of dotin's annotated ones (CC0) come: its line breaks lost, runs of
# spaces where they were.
LOST_BREAKS = (
    "Bob Dibbert  Email: Heaney.Barton@wp.net  Phone: +91 1231456789  Address: 4-Surya Park, "
    "Aundh, Pune- 411007,  Maharashtra, India    Skills  C, Python, shell script, Linux    "
    "Experience  Embedded Developer, ABB, Pune  2014 - 2017  Developed board support packages "
    "for paint robots in C    Hobbies  swimming, photography, cooking"
)


def test_a_resume_whose_line_breaks_were_lost_is_read_by_lines(parser: Parser) -> None:
    lined = restore_line_breaks(LOST_BREAKS)
    assert lined.replace("\n", " ") == LOST_BREAKS
    assert lined.count("\n") == 12
    # Lines of ordinary length keep their runs of spaces (columns, say).
    columns = "Skills\nPython     Java     SQL\nLinux      Docker   Git\n"
    assert restore_line_breaks(columns) == columns
    resume = parser.parse_resume_text(LOST_BREAKS)
    assert [s.name for s in resume.sections] == ["header", "skills", "experience", "interests"]
    found = {(m.text, m.section) for m in parser.find_skills(LOST_BREAKS)}
    assert {("Python", "skills"), ("shell script", "skills"), ("Linux", "skills")} <= found


def test_bytes_written_out_as_text_are_read_as_their_characters(parser: Parser) -> None:
    # A dotin résumé's line as it came: its bullets and a Greek question mark as UTF-8
    # bytes written out ("\\xcd\\xbe", eight characters).
    text = (
        "\\xef\\x82\\xa7 Unix ksh scripting, C++, Java, and XML for batch (ftp) updates to "
        "Oracle (on Solaris)\\xcd\\xbe VB, Access, and Crystal Reports for ad hoc support "
        "systems\\xe2\\x80\\xa2 Designed the "
        "\\xe2\\x80\\x9cR\\xc3\\xa9sum\\xc3\\xa9\\xe2\\x80\\x9d tool"
    )
    decoded = decode_escaped_bytes(text)
    assert len(decoded) == len(text)
    assert decoded.startswith("\u2022" + " " * 11 + " Unix")
    assert "Solaris)\u037e " in decoded and "systems\u2022" in decoded
    # Letters stay as written: a word is not cut in two.
    assert "R\\xc3\\xa9sum\\xc3\\xa9" in decoded
    found = parser.find_skills(text)
    assert all(text[m.start : m.end] == m.text for m in found)
    # Read as written, "\\xcd\\xbe VB, Access" gave neither VB nor Access.
    assert {"C++", "Java", "VB", "Access", "Crystal Reports"} <= {m.text for m in found}


def test_skills_glued_to_mojibake_are_found(parser: Parser) -> None:
    # UTF-8 no-break spaces read as Windows-1252 ("Â" and a no-break space), as in the text
    # layer of half the LiveCareer PDFs: "QuickBooks,Â" was one word, and no skill.
    text = (
        "Summary\nStaff accountant, five years of payroll and month-end close.\n"
        "Skills\nProficient in\u00c2\u00a0QuickBooks,\u00c2\u00a0Excel\u00c2\u00a0and SAP\n"
    )
    resume = parser.parse_resume_text(text)
    assert "Â" not in resume.text
    assert {"QuickBooks", "Excel", "SAP"} <= {m.text for m in resume.skills}
    assert all(resume.text[m.start : m.end] == m.text for m in resume.skills)
    # A text read as sent (`talentmatch skills`, POST /v1/skills) keeps every offset: its
    # mojibake is read in place, marks padded with spaces, as escaped bytes are.
    sent = text + "\u00e2\u20ac\u00a2 VMware \u00e2\u20ac\u201c Citrix, HCPCS\u00c2 coding\n"
    found = parser.find_skills(sent)
    assert all(sent[m.start : m.end] == m.text for m in found)
    assert {"QuickBooks", "Excel", "SAP", "VMware", "Citrix", "HCPCS"} <= {m.text for m in found}


def test_a_candidates_name_and_address_are_not_skills(parser: Parser) -> None:
    # Names of the fairness audit's groups (benchmarks/fairness.py): a tagger that read
    # "Shaniqua Battle" as two skills gave its bearer skills no other name gave.
    def skills(name: str) -> set[str]:
        email = name.lower().replace(" ", ".") + "@example.com"
        text = f"{name}\n{email} | (555) 010-2233\n12 Main St, Springfield\n\n{RESUME_TEXT}"
        return {m.id for m in parser.parse_resume_text(text).skills}

    neutral = skills("Jordan Taylor")
    assert "free:springfield" not in neutral
    for name in ("Shaniqua Battle", "Latoya Washington", "Jaquan Jefferson", "Mei Nguyen"):
        assert skills(name) == neutral, name


@pytest.mark.parametrize(("name", "word"), [("JOHN DOE", "DOE"), ("MARY COMET", "COMET")])
def test_a_word_of_the_candidates_name_is_not_a_skill(parser: Parser, name: str, word: str) -> None:
    # DOE (design of experiments) and COMET are O*NET products' acronyms.
    email = name.lower().replace(" ", ".") + "@example.com"
    header = f"{name}\n{email} | (555) 010-2233\n\n"
    assert word not in {m.text for m in parser.parse_resume_text(header + RESUME_TEXT).skills}
    assert word not in {m.text for m in parser.find_skills(header + RESUME_TEXT)}
    # Its line breaks lost (one line, runs of spaces): the name is read where the parser
    # puts them back, by find_skills on the text as sent too.
    joined = header.replace("\n", "  ") + LOST_BREAKS.split("  ", 1)[1]
    assert word not in {m.text for m in parser.find_skills(joined)}
    assert word not in {m.text for m in parser.parse_resume_text(joined).skills}
    listed = parser.parse_resume_text(header + f"Skills\n{word}, Minitab, Python\n")
    assert [m.start for m in listed.skills if m.text == word] == [len(header) + 7]


def test_an_item_of_a_skills_list_with_its_years_is_a_skill(parser: Parser) -> None:
    # Indeed's résumés list skills with the years of each (dotin's, CC0): an item is the
    # candidate's claim of a skill, whatever the tagger makes of its words...
    for listed, claimed in (
        ("SKILLS\n\nCPT (3 years), Data Center (4 years), Ethernet (3 years)\n", "Data Center"),
        ("SKILLS\n\noptimization (2 years), Python (4 years), router (4 years)\n", "optimization"),
        (
            "SKILLS\n\nAgile (10+ years), Product Roadmap (2 years), Stakeholder\nManagement"
            " (10+ years)\n",
            "Product Roadmap",
        ),
    ):
        assert claimed in texts(parser, listed)
    # ... unless it is a job title, which some list there too.
    titles = (
        "SKILLS\n\nENGINEER (4 years), TESTING (Less than 1 year), Technical\nArchitect (5 years)"
    )
    found = texts(parser, titles)
    assert "TESTING" in found
    assert not {"ENGINEER", "Architect", "Technical\nArchitect"} & set(found)


def test_the_name_is_looked_for_only_when_a_phrase_may_stand_in_it() -> None:
    # Finding the name compiles a pattern for it: skipped where no phrase shares its words.
    assert may_stand_in_name(["Python", "DOE"], "JOHN DOE")
    assert may_stand_in_name(["Docker, R"], "Rebecca Docker")  # "R." is her initial
    assert not may_stand_in_name(["Python", "Docker Swarm"], "Rebecca Docker")
    assert not may_stand_in_name(["DOE"], None)
    assert not may_stand_in_name([], "JOHN DOE")


def test_the_candidates_name_in_a_citation_is_no_skill(parser: Parser) -> None:
    # Surname first, as publications cite their author: "Docker, R." was the product and
    # the language R.
    header = "Rebecca Docker\nrebecca@example.com | (555) 010-2233\n\n"
    text = (
        header
        + "Publications\n"
        + "Docker, Rebecca and Sam Lee (2020). Scheduling at scale. Journal of Systems.\n"
        + "Docker, R. (2021). Containers in practice.\n"
        + "Skills\nKubernetes, Docker, Python\n"
    )
    listed = text.index("Kubernetes")
    for found in (parser.parse_resume_text(text).skills, parser.find_skills(text)):
        assert [(m.text, m.start) for m in found] == [
            ("Kubernetes", listed),
            ("Docker", listed + 12),
            ("Python", listed + 20),
        ]


@pytest.mark.parametrize(
    "line",
    [
        # Real dotin lines (CC0; their names and addresses are synthetic).
        "Cell: (123)345-7890  LinkedIn: https://www.linkedin.com/in/melani-ivan-feil",
        "Email: Bernhard.Eliz@hotmail.com  Skype: nael.khader91    Academic Qualifications",
        "Github account:  https://github.com/deville  Habrahabr.ru",
        "Email:    Joey.Fay@hmaf.info / Skype name: hayleynicholls    Telephone:",
        "chnadigarh - Email me on Indeed: Kandi.Thompson@hotmail.com",
        # The words of a link are no skills either.
        "Talk: Https://www.imcsummit.org/2017/us/session/memory-architecture-using-apache-ignite",
    ],
)
def test_a_contact_field_names_no_skill(parser: Parser, line: str) -> None:
    # A service that labels an address or a link, or a word inside one, is no skill; the
    # same services listed as skills are.
    text = f"{line}\n\nSkills\nLinkedIn, Skype, GitHub, Apache Ignite\n"
    found = [m for m in parser.find_skills(text) if m.start < len(line)]
    assert found == []
    listed = {m.text for m in parser.find_skills(text)}
    assert listed == {"LinkedIn", "Skype", "GitHub", "Apache Ignite"}


@pytest.mark.parametrize(
    ("line", "skill"),
    [
        ("Cloud Technologies: AWS", "AWS"),
        ("Configuration Management: Ansible.", "Ansible"),
        ("Social Media: LinkedIn, Facebook", "LinkedIn"),
        # A SkillSpan dev line (MIT): "e.g." is no handle.
        ("Java: e.g. Java Mission Control and Flight Recorder YourKit", "Java"),
    ],
)
def test_a_list_after_a_colon_is_no_contact_field(parser: Parser, line: str, skill: str) -> None:
    assert skill in {m.text for m in parser.find_skills(f"Skills\n{line}\n")}


@pytest.mark.parametrize(
    "opening, name",
    [
        # The openings of dotin résumés (CC0; their names are synthetic): the name goes on
        # to contact details on its line, or stands in quotes as the text was exported.
        ("Christin Tania Harvey - Email me on Indeed: cOrtiz@pg.io", "Christin Tania Harvey"),
        (
            "Mei Ruthanne Schuppe, Telangana - Email me on Indeed: Kris.Nolan@rs.org",
            "Mei Ruthanne Schuppe",
        ),
        ('"Jon Feest  2501 N. Blackwelder Ave. #466 Oklahoma City, OK 73106', "Jon Feest"),
        ('"Brain Rudolph Glover  (123)345-7890', "Brain Rudolph Glover"),
    ],
)
def test_a_name_that_goes_on_to_contact_details(parser: Parser, opening: str, name: str) -> None:
    resume = parser.parse_resume_text(f"{opening}\nSkills\nPython, SQL\n")
    assert resume.contact.name == name


@pytest.mark.parametrize(
    "opening",
    [
        # A headline goes on to other words, not contact details (a LiveCareer opening).
        "VICE PRESIDENT, DIRECTOR OF CLIENT SERVICES, DIGITAL",
        "Resume Examples",
        "Curriculum Vitae",
    ],
)
def test_a_headline_that_goes_on_is_no_name(parser: Parser, opening: str) -> None:
    assert parser.parse_resume_text(f"{opening}\nSkills\nPython, SQL\n").contact.name is None


def test_a_headline_is_not_the_candidates_name(parser: Parser) -> None:
    # Products, which a résumé keeps without the tagger's support: what is checked is the
    # name rule, not how a retrained CRF reads a heading in capitals.
    resume = parser.parse_resume_text(
        "TABLEAU AND SALESFORCE\nSummary\nBusiness development manager in B2B sales.\n"
    )
    assert resume.contact.name is None
    # Not a name, so the rule that a word of the name is no skill leaves its skills alone.
    assert {"TABLEAU", "SALESFORCE"} <= {m.text for m in resume.skills}


def test_free_skills_are_kept(parser: Parser) -> None:
    job = parser.parse_job("Requirements\n- Experience with Hasura and event sourcing\n")
    free = [s for s in job.skills if s.id.startswith("free:")]
    assert all(s.label == " ".join(s.text.split()) for s in free)
    assert all(job.text[s.start : s.end] == s.text for s in job.skills)


JOB_POST = """Senior Data Engineer
Location: Berlin, Germany
Hybrid: two days a week in the office.

Requirements
- 5+ years of experience building data pipelines
- 3+ years of Python and SQL
- Apache Spark (2 years)

Nice to have
- Kubernetes is a plus
"""


def test_job_requirements_years_seniority_location_remote(parser: Parser) -> None:
    job = parser.parse_job(JOB_POST)
    assert (job.title, job.seniority, job.location, job.remote) == (
        "Senior Data Engineer",
        "senior",
        "Berlin, Germany",
        "hybrid",
    )
    assert job.years_experience == 5
    asked = {s.text: (s.required, s.years) for s in job.skills}
    assert asked["Python"] == (True, 3.0)
    assert asked["SQL"] == (True, 3.0)
    assert asked["Apache Spark"] == (True, 2.0)
    assert asked["Kubernetes"] == (False, None)


def test_years_asked_cover_their_own_clause_only(parser: Parser) -> None:
    # The years belong to what the clause asks for: Kafka is wanted, for no set time.
    job = parser.parse_job(
        "Data Engineer\nMust have 5+ years of Python and Kubernetes; Kafka is a plus.\n"
        "- 3 yrs of SQL. Experience with Airflow.\n"
    )
    years = {s.text: s.years for s in job.skills}
    assert years == {"Python": 5.0, "Kubernetes": 5.0, "Kafka": None, "SQL": 3.0, "Airflow": None}


@pytest.mark.parametrize(
    "line", ["- 3+ years of SQL", "- SQL (3+ years)", "- SQL: 3+ years", "3 years of SQL."]
)
def test_a_skill_a_job_asks_years_of_is_asked_whatever_the_job_tagger_reads(
    parser: Parser, line: str
) -> None:
    # The job tagger gives "SQL" at the end of "3+ years of SQL" odds of 0.02; "Python" in
    # the same place 0.34. The years asked say it is a skill.
    job = parser.parse_job(f"Backend Developer\n\nRequirements:\n- 5+ years of Java\n{line}\n")
    asked = {s.text: (s.required, s.years) for s in job.skills}
    assert asked == {"Java": (True, 5.0), "SQL": (True, 3.0)}


@pytest.mark.parametrize(
    ("line", "asked", "overall"),
    [
        ("Five years of experience with Python", 5.0, 5.0),
        ("At least two years of Python", 2.0, None),
        # A range asks its least: a candidate with three years has what it asks.
        ("3-5 years of experience with Python", 3.0, 3.0),
        ("Three to five years of experience in Python", 3.0, 3.0),
        ("10+ years of experience; Python", None, 10.0),
    ],
)
def test_the_years_a_job_asks_written_as_words_or_a_range(
    parser: Parser, line: str, asked: float | None, overall: float | None
) -> None:
    job = parser.parse_job(f"Backend Developer\n\nRequirements:\n- {line}\n")
    assert [(s.text, s.years) for s in job.skills] == [("Python", asked)]
    assert job.years_experience == overall


def test_a_nice_to_have_cue_covers_its_own_clause_only(parser: Parser) -> None:
    job = parser.parse_job(
        "Backend Engineer\nMust have Java and Scala; Kafka is a plus. Docker preferred.\n"
        "Requirements: Node.js. Bonus: Terraform"
    )
    required = {s.text: s.required for s in job.skills}
    assert required == {
        "Java": True,
        "Scala": True,
        "Kafka": False,
        "Docker": False,
        "Node.js": True,
        "Terraform": False,
    }


def test_a_requirement_stays_required_when_a_later_part_of_its_clause_is_optional(
    parser: Parser,
) -> None:
    job = parser.parse_job(
        "Staff Accountant\nRequirements\n"
        "- 4+ years of accounting experience, public accounting a plus\n"
        "- Must have Java, Kafka is a plus\n"
        # And the other way round: an optional part, then one that asks outright.
        "- German is a plus, English required\n"
        "- Experience with Redis is a plus, 3+ years of Ruby\n"
        # A cue before a list, or after one that asks nothing outright, covers all of it.
        "- Preferred: Tableau, Power BI\n"
        "- Python, Scala or Spark a plus\n"
    )
    asked = {s.text: (s.required, s.years) for s in job.skills}
    assert asked == {
        "accounting": (True, 4.0),
        "public accounting": (False, None),
        "Java": (True, None),
        "Kafka": (False, None),
        "German": (False, None),
        "English": (True, None),
        "Redis": (False, None),
        "Ruby": (True, 3.0),
        "Tableau": (False, None),
        "Power BI": (False, None),
        "Python": (False, None),
        "Scala": (False, None),
        "Spark": (False, None),
    }


def test_a_skill_a_job_says_it_does_not_need_is_not_required(parser: Parser) -> None:
    job = parser.parse_job(
        "Backend Engineer\nRequirements\n"
        "- You don't need experience with Kafka, we'll teach you\n"
        "- Docker experience is not required\n"
        "- Must have Python; Kubernetes is nice to have but not required\n"
    )
    asked = {s.text: s.required for s in job.skills}
    assert asked == {"Kafka": False, "Docker": False, "Python": True, "Kubernetes": False}


def test_years_asked_are_read_from_the_skills_own_part_of_the_clause(parser: Parser) -> None:
    job = parser.parse_job(
        "Senior Backend Engineer\nRequirements\n"
        "- At least five years of hands-on commercial experience in embedded systems, with 2 "
        "years in Go\n"
        "- Python (5+ years), SQL (2 years)\n"
        "- 4+ years of Java, Spring and Hibernate\n"
    )
    asked = {s.text: s.years for s in job.skills}
    assert asked == {
        "embedded systems": 5.0,
        # An ambiguous word is a skill where the job states years of it.
        "Go": 2.0,
        "Python": 5.0,
        "SQL": 2.0,
        "Java": 4.0,
        "Spring": 4.0,
        "Hibernate": 4.0,
    }


def test_a_comma_parts_the_items_a_job_tagger_read_as_one_phrase(parser: Parser) -> None:
    job = parser.parse_job(
        "Warehouse Associate\nDuties: picking and packing orders, loading and unloading "
        "trucks, operating a forklift, inventory counts.\n"
    )
    assert [s.text for s in job.skills] == [
        "picking and packing orders",
        "loading and unloading trucks",
        "operating a forklift",
        "inventory counts",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Preferred: Tableau, Power BI, Looker",
        "- Tableau, Power BI, Looker",
        "Tools: Tableau | Power BI | Looker",
    ],
)
def test_a_bare_list_in_a_job_posting_is_read(parser: Parser, line: str) -> None:
    # The job tagger, trained on sentences, gives a bare list's words no odds at all.
    job = parser.parse_job(f"Data Analyst\n{line}\n")
    assert [s.text for s in job.skills] == ["Tableau", "Power BI", "Looker"]


def test_a_labelled_lines_one_value_in_a_job_posting_is_read(parser: Parser) -> None:
    job = parser.parse_job("Data Analyst\nTools: Tableau\nBonus: Looker.\nDepartment: Marketing\n")
    # "Marketing" is an everyday word, a skill only where a list or the tagger says so.
    assert [(s.text, s.required) for s in job.skills] == [("Tableau", True), ("Looker", False)]


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Fully remote role, anywhere in the EU.", "remote"),
        ("This is an on-site position in Lyon.", "onsite"),
        ("Remote sensing analyst for satellite imagery.", None),
        ("Remote within Germany; quarterly on-site meetups.", "hybrid"),
    ],
)
def test_remote_mode(parser: Parser, text: str, mode: str | None) -> None:
    assert parser.parse_job("Analyst\n" + text).remote == mode


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Junior Java Developer", "junior"),
        ("Lead Engineer", "lead"),
        ("Head of Data", "head"),
        ("Software Engineering Intern", "intern"),
        ("Backend Developer", None),
    ],
)
def test_seniority_from_the_title(parser: Parser, title: str, level: str | None) -> None:
    assert parser.parse_job("We build things.", title=title).seniority == level


def test_resume_evidence_and_education(parser: Parser) -> None:
    resume = parser.parse_resume_text(RESUME_TEXT, today=TODAY)
    assert resume.education == ["BSc Computer Science, 2014"]
    ev = {e.label: e for e in resume.evidence}
    python = ev["Python (computer programming)"]
    # Mentioned in the current role (Jan 2019 – now) and in the skills list.
    assert (python.mentions, python.sections) == (2, ["experience", "skills"])
    assert python.last_used == TODAY and python.years_used == pytest.approx(7.8, abs=0.1)
    # Only in the earlier role, Mar 2015 – Dec 2018.
    tableau = ev["Tableau"]
    assert tableau.last_used == dt.date(2018, 12, 1)
    assert tableau.years_used == pytest.approx(3.8, abs=0.1)
    # Only in the skills list: no dates to tell.
    assert ev["Git"].last_used is None and ev["Git"].years_used is None
    assert python.years_stated is None


@pytest.mark.parametrize(
    ("line", "stated"),
    [
        # dotin's résumés (CC0): the items of the list after the count share it.
        (
            "Marketing professional with 5+ years of experience in social media management, "
            "content marketing, and branding.",
            {"social media management": 5.0, "content marketing": 5.0},
        ),
        (
            "Senior software engineer with more than 9 years of experience in C, C++, Data "
            "Structures programming.",
            {"C": 9.0, "C++": 9.0, "Data Structures programming": 9.0},
        ),
        # A clause of its own is no item of that list.
        (
            "Developer with 8 years of Java; also Python and SQL.",
            {
                "Java (computer programming)": 8.0,
                "Python (computer programming)": None,
                "SQL": None,
            },
        ),
    ],
)
def test_the_items_of_a_list_after_stated_years_share_them(
    parser: Parser, line: str, stated: dict[str, float | None]
) -> None:
    resume = parser.parse_resume_text(f"Jane Roe\nSummary\n{line}\n")
    assert {e.label: e.years_stated for e in resume.evidence} == stated


def test_resume_evidence_gives_the_years_a_resume_states_for_a_skill(parser: Parser) -> None:
    # Indeed's skills lists (dotin lines) and a summary's claim.
    text = (
        "Jane Roe\nSoftware Developer\n\nSKILLS\n"
        "C++ (Less than 1 year), ECLIPSE (Less than 1 year), ESSBASE\n(Less than 1 year)\n"
        "ORACLE (3 years), JAVA (3 years), SOAP (2 years), SVN (2 years)\n\n"
        "SUMMARY\n5+ years of experience in Mule ESB, 8 years of Java, and SVN since 2015.\n"
    )
    ev = {e.label: e for e in parser.parse_resume_text(text, today=TODAY).evidence}
    assert ev["C++"].years_stated == 0.5  # less than a year
    assert ev["Oracle Essbase"].years_stated == 0.5  # the years on the next line
    assert ev["MuleSoft software"].years_stated == 5
    # Stated once of two mentions: the statement stands; stated twice: the most.
    svn = ev["Apache Subversion SVN"]
    assert (svn.mentions, svn.years_stated) == (2, 2)
    java = ev["Java (computer programming)"]
    assert (java.mentions, java.years_stated) == (2, 8)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Java (5 years)", 5.0),
        ("Java (10+ years)", 10.0),
        ("Java (less than one year)", 0.5),
        # Counts in words, as a job's years are read: the digits alone missed these.
        ("Java (five years)", 5.0),
        ("Java (one year)", 1.0),
        ("Leadership: 10+ years", 10.0),
        ("Leadership: ten years", 10.0),
        ("8 years of Java", 8.0),
        ("3 yrs' hands-on experience with Java", 3.0),
        ("Five years of experience in Java", 5.0),
        # Not the skill's: years of something else, or a list item after a break.
        ("Java, 5 years in banking", None),
        ("Java\n- 3 years leading a team", None),
        ("5 years in banking, Java", None),
    ],
)
def test_the_years_stated_for_a_skill(text: str, years: float | None) -> None:
    name = "Leadership" if text.startswith("Leadership") else "Java"
    start = text.index(name)
    assert years_stated_for(text, start, start + len(name)) == years
