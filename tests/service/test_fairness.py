"""Self-reported groups (stored apart) and the selection-rate report of a shortlist."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from index._schema import CandidateGroupRow
from matcher.fairness import selection_report
from service import Runtime
from tests.documents import demo_records
from tests.service.test_api import JOB, assert_error


def test_rates_and_ratios_by_hand() -> None:
    # 10 women in the pool, 4 selected (0.4); 20 men, 12 selected (0.6): 0.4 / 0.6 = 0.667.
    groups = dict.fromkeys(range(10), "female") | dict.fromkeys(range(10, 30), "male")
    selected = [0, 1, 2, 3, *range(10, 22), 40]
    report = selection_report("gender", range(45), groups, selected)
    assert (report.pool, report.selected) == (30, 16)
    assert (report.unlabelled_pool, report.unlabelled_selected) == (15, 1)
    female, male = report.groups
    assert (female.group, female.pool, female.selected) == ("female", 10, 4)
    assert female.selection_rate == 0.4 and male.selection_rate == 0.6
    assert female.impact_ratio == 0.667 and female.below_four_fifths
    assert male.impact_ratio == 1.0 and not male.below_four_fifths
    assert report.lowest_impact_ratio == 0.667
    nobody = selection_report("gender", range(30), groups, [40])
    assert nobody.lowest_impact_ratio is None
    assert not any(g.below_four_fifths for g in nobody.groups)


def test_groups_are_stored_apart_reported_and_erased(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    ids = []
    for record in demo_records(limit=6):
        body = {"external_id": str(record["id"]), "text": str(record["text"])}
        ids.append(client.post("/v1/candidates", headers=auth, json=body).json()["candidate_id"])
    reported = ["female", "female", "female", "male", "male", "male"]
    for candidate_id, group in zip(ids, reported, strict=True):
        answer = client.put(
            f"/v1/candidates/{candidate_id}/groups",
            headers=auth,
            json={"groups": {"gender": group, "age_band": "40+"}},
        )
        assert answer.status_code == 200
    assert client.get(f"/v1/candidates/{ids[0]}/groups", headers=auth).json() == {
        "candidate_id": ids[0],
        "groups": {"age_band": "40+", "gender": "female"},
    }
    # Bad labels are refused and change nothing; another tenant cannot reach them.
    for bad in ({"Gender!": "x"}, {"gender": ""}, {f"c{k}": "x" for k in range(11)}):
        answer = client.put(f"/v1/candidates/{ids[0]}/groups", headers=auth, json={"groups": bad})
        assert_error(answer, 422, "invalid_request")
    other = {"Authorization": f"Bearer {runtime.store.create_key('initech')}"}
    assert_error(client.get(f"/v1/candidates/{ids[0]}/groups", headers=other), 404, "not_found")
    assert runtime.store.groups("acme", ids[0])["gender"] == "female"
    # The shortlist: two of the women and one of the men.
    body = {"category": "gender", "candidate_ids": [ids[0], ids[1], ids[3]]}
    report = client.post("/v1/fairness/selection", headers=auth, json=body).json()
    assert report["pool"] == 6 and report["selected"] == 3
    rates = {g["group"]: (g["selection_rate"], g["impact_ratio"]) for g in report["groups"]}
    assert rates == {"female": (0.6667, 1.0), "male": (0.3333, 0.5)}
    assert report["lowest_impact_ratio"] == 0.5
    body["candidate_ids"] = [ids[0], 999_999]
    assert_error(client.post("/v1/fairness/selection", headers=auth, json=body), 404, "not_found")
    # Never a feature: the same match with and without the labels.
    shortlist = client.post("/v1/match", headers=auth, json={"job": JOB}).json()
    for candidate_id in ids:
        client.put(f"/v1/candidates/{candidate_id}/groups", headers=auth, json={"groups": {}})
    again = client.post("/v1/match", headers=auth, json={"job": JOB}).json()
    assert [(m["candidate_id"], m["score"]) for m in again["results"]] == [
        (m["candidate_id"], m["score"]) for m in shortlist["results"]
    ]
    # Erasure takes them with the candidate; the export shows them first.
    client.put(f"/v1/candidates/{ids[2]}/groups", headers=auth, json={"groups": {"gender": "x"}})
    exported = client.get(f"/v1/candidates/{ids[2]}/export", headers=auth).json()
    assert exported["groups"] == {"gender": "x"}
    assert client.delete(f"/v1/candidates/{ids[2]}", headers=auth).status_code == 204
    with runtime.store.session() as session:
        left = session.scalars(
            select(CandidateGroupRow).where(CandidateGroupRow.candidate_id == ids[2])
        ).all()
    assert left == []


def test_a_match_reranks_toward_the_pool_on_request(
    client: TestClient, auth: dict[str, str]
) -> None:
    ids = []
    for record in demo_records(limit=12):
        body = {"external_id": str(record["id"]), "text": str(record["text"])}
        ids.append(client.post("/v1/candidates", headers=auth, json=body).json()["candidate_id"])
    plain = client.post("/v1/match", headers=auth, json={"job": JOB, "top_k": 12}).json()
    order = [m["candidate_id"] for m in plain["results"]]
    score = {m["candidate_id"]: m["score"] for m in plain["results"]}
    # The top four are one group, the eight others the other: a third and two thirds.
    group = {c: ("x" if n < 4 else "y") for n, c in enumerate(order)}
    for c in ids:
        client.put(f"/v1/candidates/{c}/groups", headers=auth, json={"groups": {"g": group[c]}})
    body = {"job": JOB, "top_k": 4, "fair_rerank": "g"}
    fair = client.post("/v1/match", headers=auth, json=body).json()
    got = [m["candidate_id"] for m in fair["results"]]
    # Rank 2 must hold one y (⌊2 × 2/3⌋), rank 3 two; rank 4 one x and two y.
    assert got == [order[0], order[4], order[5], order[1]]
    assert all(m["score"] == score[m["candidate_id"]] for m in fair["results"])
    report = fair["fair_rerank"]
    assert report["target"] == {"x": 0.3333, "y": 0.6667}
    assert report["before"] == {"x": 4, "y": 0} and report["after"] == {"x": 2, "y": 2}
    assert report["moved_in"] == [order[4], order[5]]
    assert report["moved_out"] == [order[2], order[3]]
    lost = score[order[2]] + score[order[3]] - score[order[4]] - score[order[5]]
    assert report["score_loss"] == round(lost, 2) and report["unmet"] == []
    # Without the parameter nothing changes and nothing is reported.
    again = client.post("/v1/match", headers=auth, json={"job": JOB, "top_k": 4}).json()
    assert [m["candidate_id"] for m in again["results"]] == order[:4]
    assert again["fair_rerank"] is None
    bad = {"job": JOB, "fair_rerank": "Not A Category"}
    assert_error(client.post("/v1/match", headers=auth, json=bad), 422, "invalid_request")
