"""Build the demo talent pool shipped in ``service/demo/pool.jsonl.gz``.

The résumés are the CC0 1.0 annotated résumés of dotin-inc/resume-dataset-NER-annotations
(``../shared/data/skills-gold/dotin-train``), with the annotation tags removed and
duplicates (the same résumé annotated twice) dropped. Their names and e-mails are synthetic.

The application history is generated here, deterministically, so that the demo shows
rediscovery: every sixth résumé was runner-up for a role like its own title, every sixth
(offset by one) reached an interview and was rejected. It describes no real person.

Run: ``python scripts/build_demo_pool.py [--source DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import html
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "skills-gold" / "dotin-train"
DEFAULT_OUT = ROOT / "service" / "demo" / "pool.jsonl.gz"
TAG = re.compile(r"</?(?:label|cv)\b[^>]*>")
DESIGNATION = re.compile(r'<label type="Designation">([^<]+)</label>')


def resume_text(xml: str) -> str:
    body = xml.split("?>", 1)[-1]
    return html.unescape(TAG.sub("", body)).strip() + "\n"


def history(number: int, title: str | None) -> list[dict[str, object]]:
    words = html.unescape(title or "Software Engineer").split()
    # Capitalise each word's first letter only: "QA" and "iOS" stay as written.
    role = " ".join(w[:1].upper() + w[1:] for w in words)
    senior = (
        role if words[0].lower() in {"senior", "sr.", "lead", "principal"} else f"Senior {role}"
    )
    month = dt.date(2025, 1 + number % 12, 1).isoformat()
    if number % 6 == 0:
        return [
            {
                "job_id": f"REQ-{2000 + number}",
                "job_title": senior,
                "stage": "final_round",
                "outcome": "runner_up",
                "date": month,
            }
        ]
    if number % 6 == 1:
        return [
            {
                "job_id": f"REQ-{2000 + number}",
                "job_title": role,
                "stage": "interviewed",
                "outcome": "rejected",
                "date": month,
            }
        ]
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    files = sorted(args.source.glob("*.xml"), key=lambda p: int(p.stem))
    if not files:
        parser.error(f"no dotin XML files in {args.source}")
    seen: set[str] = set()
    lines: list[str] = []
    for path in files:
        xml = path.read_text(encoding="utf-8")
        text = resume_text(xml)
        digest = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        title = DESIGNATION.search(xml)
        record = {
            "id": f"dotin-{path.stem}",
            "text": text,
            "source": "demo",
            "applications": history(int(path.stem), title.group(1) if title else None),
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{args.out}: {len(lines)} résumés ({len(files) - len(lines)} duplicates dropped)")


if __name__ == "__main__":
    main()
