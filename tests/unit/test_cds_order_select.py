"""`order-select`: spine imaging drafted for a person with cancer. A plain X-ray gets the reason
MRI is needed instead (IMG-004) and a swap; a regional MRI or CT gets "whole spine"; a whole-spine
MRI gets a card only when its priority is too low for the triage. Everything else: no card.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from test_cds_support import (
    IMAGING,
    auth,
    check_response,
    client,
    ehr_resources,
    hook_request,
    load_fixture,
    prefetch_for,
)

from oncospine.cds.order_select import classify
from oncospine.fhir import codes as c

PATH = f"/cds-services/{IMAGING}"
BASE_CASE = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T09:30:00+00:00"}
CANCER_PAIN = {**BASE_CASE, "cancer": {"history": "current", "primary_site": "breast"},
               "presentation": {"spinal_pain": True, "neuro_features": []}}
CANCER_NEURO = {**BASE_CASE, "cancer": {"history": "current", "primary_site": "breast"},
                "presentation": {"neuro_features": ["limb_weakness"]}}


def order(text: str, rid: str = "sr-1", priority: str | None = "routine",
          code: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "ServiceRequest", "id": rid, "status": "draft",
                           "intent": "order", "subject": {"reference": "Patient/1288992"},
                           "code": code or {"text": text}}
    if priority:
        out["priority"] = priority
    return out


def request_for(case: dict[str, Any], *orders: dict[str, Any],
                selections: list[str] | None = None) -> dict[str, Any]:
    draft = {"resourceType": "Bundle", "type": "collection",
             "entry": [{"resource": o} for o in orders]}
    chosen = selections if selections is not None else [f"ServiceRequest/{o['id']}"
                                                         for o in orders]
    return hook_request("order-select", prefetch_for(ehr_resources(case)),
                        selections=chosen, draftOrders=draft)


def answer(body: dict[str, Any], status: int = 200) -> Any:
    response = client().post(PATH, json=body, headers=auth(PATH))
    assert response.status_code == status, response.text
    if status == 200:
        assert check_response(response.json()) == []
        return response.json()["cards"]
    return response.json()


@pytest.mark.parametrize(("text", "kind"), [
    ("XR LUMBAR SPINE 2 VIEWS", "xray_spine"), ("X-ray thoracic spine", "xray_spine"),
    ("Plain film of the back", "xray_spine"), ("MRI lumbar spine without contrast", "mri_region"),
    ("MR whole spine", "mri_whole_spine"), ("MRI entire spine", "mri_whole_spine"),
    ("CT cervical spine", "ct_spine"), ("Computed tomography of the sacrum", "ct_spine"),
    ("X-ray chest", None), ("MRI brain", None), ("Spine clinic referral", None),
])
def test_spine_imaging_orders_are_recognised_from_their_words(text, kind):
    found = classify(order(text))
    assert (found[0] if found else None) == kind
    if found:
        assert text.lower() in found[1]


def test_oncospine_codes_are_recognised_first():
    coded = order("", code={"coding": [{"system": c.CS_OPTION, "code": "xray_spine"}]})
    assert classify(coded) == ("xray_spine", "oncospine code")


def test_a_spine_xray_for_a_person_with_cancer_gets_the_reason_and_a_swap():
    cards = answer(request_for(CANCER_PAIN, order("XR LUMBAR SPINE 2 VIEWS")))
    assert len(cards) == 1
    card = cards[0]
    assert card["indicator"] == "warning"
    assert card["summary"] == ("A plain X-ray cannot rule out spinal metastases: order MRI of "
                               "the whole spine instead")
    assert "IMG-004" in card["source"]["label"] and "IMG-001" in card["source"]["label"]
    assert "neither diagnoses nor excludes spinal metastases" in card["detail"]
    assert "IMG-004 [S3]" in card["detail"]
    assert "Triage is **urgent**: MRI of the whole spine within 1 week (TRI-003" in card["detail"]
    assert "order text 'xr lumbar spine 2 views'" in card["detail"]
    delete, create = card["suggestions"][0]["actions"]
    assert delete == {"type": "delete", "description": "Remove the draft X-ray order",
                      "resourceId": "ServiceRequest/sr-1"}
    assert create["resource"]["priority"] == "urgent"
    assert create["resource"]["code"]["coding"][0]["code"] == "mri_whole_spine"


def test_in_an_emergency_the_card_is_critical_and_the_mri_stat():
    cards = answer(request_for(CANCER_NEURO, order("X-ray thoracic spine")))
    assert cards[0]["indicator"] == "critical"
    assert cards[0]["suggestions"][0]["label"] == "Replace with MRI of the whole spine (stat)"


def test_a_regional_mri_should_be_whole_spine():
    draft = order("MRI lumbar spine without contrast", priority="routine")
    card = answer(request_for(CANCER_PAIN, draft))[0]
    assert card["summary"] == "Order MRI of the whole spine, not one region (within 1 week)"
    assert "IMG-002" in card["source"]["label"]
    update = card["suggestions"][0]["actions"][0]
    assert update["type"] == "update"
    assert update["resource"]["id"] == "sr-1"
    assert update["resource"]["priority"] == "urgent"
    assert update["resource"]["code"]["coding"][0]["code"] == "mri_whole_spine"
    assert draft["code"] == {"text": "MRI lumbar spine without contrast"}  # not changed in place


def test_a_ct_when_mri_is_possible_should_be_whole_spine_mri():
    card = answer(request_for(CANCER_PAIN, order("CT thoracic spine")))[0]
    assert card["summary"].startswith("Order MRI of the whole spine, not a CT")


def test_whole_spine_mri_at_too_low_a_priority_is_raised():
    card = answer(request_for(CANCER_NEURO, order("MRI whole spine", priority="urgent")))[0]
    assert card["indicator"] == "critical"
    assert card["summary"] == ("MRI of the whole spine for suspected spinal disease: make it "
                               "stat (within 24 h)")
    assert card["suggestions"][0]["actions"][0]["resource"]["priority"] == "stat"


@pytest.mark.parametrize("priority", ["stat", "asap"])
def test_whole_spine_mri_at_the_right_priority_gets_no_card(priority):
    priority_needed = "urgent" if priority == "asap" else "stat"
    case = CANCER_PAIN if priority_needed == "urgent" else CANCER_NEURO
    assert answer(request_for(case, order("MRI whole spine", priority=priority))) == []


def test_when_mri_is_contraindicated_ct_is_right_and_mri_is_swapped_for_ct():
    case = {**CANCER_PAIN, "status": {"mri_contraindicated": True}}
    assert answer(request_for(case, order("CT lumbar spine", priority="urgent"))) == []
    mri = answer(request_for(case, order("MRI lumbar spine")))[0]
    assert mri["summary"] == "MRI is recorded as contraindicated: order CT of the spine instead"
    assert "IMG-003" in mri["source"]["label"]
    xray = answer(request_for(case, order("XR lumbar spine")))[0]
    assert xray["summary"].endswith("order CT of the spine instead")
    raise_ct = answer(request_for(case, order("CT lumbar spine", priority="routine")))[0]
    assert raise_ct["summary"].startswith("CT of the spine for suspected spinal disease: make it")


@pytest.mark.parametrize("history", ["none", "suspected", "unknown"])
def test_no_card_without_a_known_cancer(history):
    case = {**BASE_CASE, "cancer": {"history": history}}
    assert answer(request_for(case, order("XR LUMBAR SPINE"))) == []


def test_a_haematological_cancer_counts_as_cancer():
    case = {**BASE_CASE, "cancer": {"haematological": "confirmed"}}
    assert answer(request_for(case, order("XR LUMBAR SPINE")))[0]["indicator"] == "warning"


def test_only_selected_spine_imaging_orders_are_considered():
    xray, chest = order("XR lumbar spine", "sr-1"), order("XR chest", "sr-2")
    assert answer(request_for(CANCER_PAIN, xray, chest, selections=["ServiceRequest/sr-2"])) == []
    cards = answer(request_for(CANCER_PAIN, xray, chest))
    assert len(cards) == 1 and cards[0]["links"][0]["type"] == "smart"


def test_the_specification_r4_example_is_accepted_and_needs_no_card():
    body = load_fixture("spec-order-select-r4.json")
    body["prefetch"] = prefetch_for(ehr_resources(CANCER_PAIN))
    assert answer(body) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda ctx: ctx.pop("selections"), "context.selections must be a list"),
    (lambda ctx: ctx.update(draftOrders=[]), "context.draftOrders must be a FHIR Bundle"),
    (lambda ctx: ctx["draftOrders"].update(entry={}), "entry must be a list"),
])
def test_a_context_breaking_the_hook_definition_is_400(change, message):
    body = request_for(CANCER_PAIN, order("XR lumbar spine"))
    change(body["context"])
    assert message in json.dumps(answer(body, 400))


def test_a_malformed_selected_order_is_422():
    bad = {**order("XR lumbar spine"), "priority": "whenever"}
    assert "priority: 'whenever'" in json.dumps(answer(request_for(CANCER_PAIN, bad), 422))
    body = request_for(CANCER_PAIN, order("XR lumbar spine"))
    body["context"]["draftOrders"]["entry"][0] = {"fullUrl": "x"}
    assert "no resource" in json.dumps(answer(body, 422))


def test_the_request_is_not_changed():
    body = request_for(CANCER_PAIN, order("MRI lumbar spine"))
    before = copy.deepcopy(body)
    answer(body)
    assert body == before
