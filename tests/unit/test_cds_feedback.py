"""`POST /cds-services/{id}/feedback`: the specification's examples are stored through the
injected `record_feedback`; a body breaking the feedback rules is refused with 400 and nothing is
stored.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from test_cds_support import IMAGING, TRIAGE, Recorder, auth, client, load_fixture

EXAMPLES = load_fixture("spec-feedback.json")


def send(body: Any, service: str = TRIAGE, recorder: Recorder | None = None,
         audience: str | None = None) -> Any:
    path = f"/cds-services/{service}/feedback"
    return client(recorder).post(path, json=body, headers=auth(audience or path))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_specification_examples_are_recorded(name):
    recorder = Recorder()
    response = send(EXAMPLES[name], recorder=recorder)
    assert response.status_code == 200
    assert response.content == b""
    [(service, item)] = recorder.feedback
    assert service == TRIAGE
    original = EXAMPLES[name]["feedback"][0]
    assert item["card"] == original["card"]
    assert item["outcome"] == original["outcome"]
    assert item["outcomeTimestamp"].startswith("2020-12-11T00:00:00")


def test_an_override_reason_and_comment_are_kept():
    recorder = Recorder()
    send(EXAMPLES["overridden_with_reason"], IMAGING, recorder)
    item = recorder.feedback[0][1]
    assert item["overrideReason"] == {
        "reason": {"code": "d7ecf885",
                   "system": "https://example.com/cds-hooks/override-reason-system"},
        "userComment": "A comment entered by the clinician."}


def test_several_items_are_each_recorded():
    body = {"feedback": EXAMPLES["accepted"]["feedback"] + EXAMPLES["overridden"]["feedback"]}
    recorder = Recorder()
    assert send(body, recorder=recorder).status_code == 200
    assert [i["outcome"] for _, i in recorder.feedback] == ["accepted", "overridden"]


def without(name: str, *path: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLES[name])
    node = body
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return body


def changed(name: str, **item: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLES[name])
    body["feedback"][0].update(item)
    return body


@pytest.mark.parametrize(("body", "message"), [
    ({}, "feedback"),
    ({"feedback": []}, "feedback"),
    (without("accepted", "feedback", 0, "card"), "card"),
    (without("accepted", "feedback", 0, "outcomeTimestamp"), "outcomeTimestamp"),
    (without("accepted", "feedback", 0, "acceptedSuggestions"),
     "an accepted outcome lists its acceptedSuggestions"),
    (changed("accepted", outcome="ignored"), "outcome"),
    (changed("accepted", acceptedSuggestions=[{}]), "id"),
    (changed("overridden", acceptedSuggestions=[{"id": "x"}]), "no acceptedSuggestions"),
    (changed("accepted", overrideReason={"userComment": "no"}),
     "overrideReason belongs to an overridden outcome"),
    (changed("overridden", overrideReason={"reason": {"code": "x"}}), "system"),
    (changed("overridden", outcomeTimestamp="yesterday"), "outcomeTimestamp"),
    (changed("overridden", outcomeTimestamp="2020-12-11T00:00:00"), "timezone"),
])
def test_feedback_breaking_the_rules_is_400_and_nothing_is_stored(body, message):
    recorder = Recorder()
    response = send(body, recorder=recorder)
    assert response.status_code == 400
    assert message in json.dumps(response.json())
    assert recorder.feedback == []


def test_feedback_for_an_unknown_service_is_404():
    assert send(EXAMPLES["accepted"], service="nope").status_code == 404


def test_feedback_must_be_authenticated_for_its_endpoint_or_its_service():
    service_audience = send(EXAMPLES["accepted"], audience=f"/cds-services/{TRIAGE}")
    assert service_audience.status_code == 200
    assert send(EXAMPLES["accepted"], audience="/cds-services").status_code == 401
    http = client()
    assert http.post(f"/cds-services/{TRIAGE}/feedback",
                     json=EXAMPLES["accepted"]).status_code == 401


def test_a_feedback_body_that_is_not_json_is_400():
    path = f"/cds-services/{TRIAGE}/feedback"
    response = client().post(path, content=b"feedback", headers=auth(path))
    assert response.status_code == 400
