"""The main paths, clicked through in a real browser.

A clinician signs in, types an MSCC case and watches the triage banner turn to emergency while
typing, saves it; the chair runs a tumour board and signs the decision, which is read-only
afterwards; a viewer sees no way to edit. Screenshots of the main pages are taken on the way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

LiveServer = Any  # the `live` fixture of tests/e2e/conftest.py


def sign_in(page: Page, live: LiveServer, role: str) -> None:
    page.goto(live.url + "/cases")
    expect(page).to_have_url(re.compile(r"/login\?next=/cases$"))
    page.get_by_label("User name").fill(role)
    page.get_by_label("Password").fill(live.passwords[role])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases$"))


def banner(page: Page) -> Any:
    return page.locator("#live #triage-banner")


def test_an_mscc_case_turns_to_emergency_while_typing_and_is_saved(
        page: Page, live: LiveServer, shots: Path) -> None:
    sign_in(page, live, "chair")
    page.get_by_role("link", name="New case").click()
    page.get_by_label("Case label").fill("e2e-mscc")
    page.get_by_label("Cancer history").select_option("current")
    page.get_by_label("Primary site").select_option("lung_nsclc")
    page.get_by_label("Spinal pain").select_option("yes")
    page.locator("#f-presentation-neuro_features").get_by_label(
        "none of these").check()
    expect(banner(page)).to_have_attribute("data-level", "urgent")
    expect(banner(page)).to_contain_text("URGENT")

    page.locator("#f-presentation-neuro_features").get_by_label("limb weakness").check()
    expect(banner(page)).to_have_attribute("data-level", "emergency")
    expect(banner(page)).to_contain_text("EMERGENCY")
    expect(page.locator("#f-presentation-neuro_features").get_by_label(
        "none of these")).not_to_be_checked()

    page.locator("#f-lesions-0-level").select_option("T10")
    page.locator("#f-lesions-0-escc").select_option("2")
    page.get_by_label("Hours since the first neurological symptom").fill("6")
    expect(page.locator("#live")).to_contain_text("worst ESCC: 2")
    page.locator("#live").get_by_role("link", name="Walking").click()
    expect(page.locator("#f-status-ambulatory")).to_be_focused()
    page.screenshot(path=str(shots / "case-form-live.png"), full_page=False)

    page.get_by_role("button", name="Save case").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("#triage-banner")).to_have_attribute("data-level", "emergency")
    expect(page.get_by_role("heading", name=re.compile("e2e-mscc"))).to_be_visible()
    expect(page.locator("figure.diagram svg")).to_be_visible()
    page.screenshot(path=str(shots / "case-page.png"), full_page=True)
    case_url = page.url

    page.get_by_role("link", name="Patient summary", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))
    expect(page.get_by_text(re.compile("seek help|get help|call", re.I)).first).to_be_visible()
    page.goto(case_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Report PDF").click()
    assert download.value.suggested_filename.endswith("-report.pdf")

    page.goto(live.url + "/cases")
    row = page.get_by_role("row", name=re.compile("e2e-mscc"))
    expect(row).to_contain_text("Emergency")
    expect(row).to_contain_text("MRI done")
    page.screenshot(path=str(shots / "case-list.png"), full_page=True)


def test_the_chair_records_a_board_decision_and_it_is_read_only_afterwards(
        page: Page, live: LiveServer, shots: Path) -> None:
    case = live.store.create_case({
        "format": "oncospine-case/1", "id": "e2e-board",
        "cancer": {"history": "current", "primary_site": "breast"},
        "presentation": {"spinal_pain": True, "neuro_features": []},
        "lesions": [{"level": "T8", "pain": "mechanical", "bone_lesion": "lytic",
                     "alignment": "normal", "collapse": "under_50",
                     "posterolateral": "unilateral", "escc": "1b"}]}, "chair")
    sign_in(page, live, "chair")
    page.goto(live.url + "/meetings")
    page.get_by_label("Title").fill("Thursday spinal MDT")
    names = page.locator("input[name=attendee_name]")
    names.nth(0).fill("Ms Surgeon")
    names.nth(1).fill("Dr Oncologist")
    page.get_by_role("button", name="Create meeting").click()
    expect(page.get_by_text("Quorate")).to_be_visible()
    page.get_by_label("Add cases to the agenda").select_option(str(case.id))
    page.get_by_role("button", name="Add to agenda").click()
    page.screenshot(path=str(shots / "board-meeting.png"), full_page=True)
    page.get_by_role("link", name="e2e-board").click()

    page.get_by_label("Rationale").fill("Mechanical pain, SINS indeterminate: surgical opinion "
                                        "then radiotherapy.")
    page.get_by_role("button", name="Record and sign as chair").click()
    signed = page.locator("[data-readonly=true]")
    expect(signed).to_contain_text("Signed by chair")
    expect(page.get_by_label("Rationale")).to_have_count(0)
    expect(page.get_by_role("button", name="Record and sign as chair")).to_have_count(0)
    page.screenshot(path=str(shots / "board-decision-signed.png"), full_page=True)

    page.get_by_role("link", name=re.compile("Thursday spinal MDT")).click()
    page.get_by_role("link", name="Printable outcome list").click()
    expect(page.get_by_role("row", name=re.compile("e2e-board"))).to_contain_text("signed by chair")
    page.screenshot(path=str(shots / "board-outcomes.png"), full_page=True)


def test_a_viewer_reads_but_cannot_edit(page: Page, live: LiveServer) -> None:
    case = live.store.create_case({"format": "oncospine-case/1", "id": "e2e-viewer"}, "chair")
    sign_in(page, live, "viewer")
    expect(page.get_by_role("link", name="New case")).to_have_count(0)
    page.goto(f"{live.url}/cases/{case.id}")
    expect(page.locator("#triage-banner")).to_be_visible()
    expect(page.get_by_role("link", name="Edit case")).to_have_count(0)
    response = page.goto(f"{live.url}/cases/{case.id}/edit")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
