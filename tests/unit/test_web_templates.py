"""Every page that shows an assessment renders for every demo case and every public vector.

Cases differ in what they leave out (no cancer, no lesions, not-applicable scores, primary
tumours); a page must never fail on any of them. The pages are requested through the real app
with an API token, on a SQLite store.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from oncospine.case import validate_case
from oncospine.errors import CaseValidationError
from oncospine.store import Store
from oncospine.web import forms
from oncospine.web.app import create_app
from oncospine.web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "src" / "oncospine" / "examples").glob("*.yaml"))
VECTORS = sorted((ROOT.parent / "shared" / "vectors" / "cases").glob("*.json"))


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = [(p.stem, json.loads(json.dumps(yaml.safe_load(p.read_text("utf-8")),
                                            default=lambda d: d.isoformat())))
             for p in EXAMPLES]
    for path in VECTORS:
        case = json.loads(path.read_text("utf-8"))["case"]
        try:
            validate_case(case)
        except CaseValidationError:
            continue
        found.append((path.stem, case))
    return found


DOCS = documents()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}")
    store.add_user("chair", "chair", password="pw")
    token = store.create_token("chair", "pages")
    ids = {name: store.create_case(doc, "chair").id for name, doc in DOCS}
    meeting = store.create_meeting(date(2026, 11, 26), "All cases", "chair",
                                   attendees=[("S", "spinal_surgeon"),
                                              ("O", "clinical_oncologist")],
                                   case_ids=list(ids.values()))
    with TestClient(create_app(Settings(database_url=store.url), store=store),
                    headers={"Authorization": f"Bearer {token}"}) as client:
        yield client, ids, meeting.id
    store.close()


def test_there_are_cases_of_every_kind_to_render() -> None:
    assert len(DOCS) >= 25


@pytest.mark.parametrize("name", [n for n, _ in DOCS])
def test_the_case_pages_render(site: Any, name: str) -> None:
    client, ids, meeting = site
    case_id = ids[name]
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/edit",
                 f"/meetings/{meeting}/cases/{case_id}"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[-800:])
        assert 'id="triage-banner"' in response.text


@pytest.mark.parametrize(("name", "doc"), DOCS, ids=[n for n, _ in DOCS])
def test_the_live_panel_shows_the_same_triage_as_the_stored_case(
        site: Any, name: str, doc: dict[str, Any]) -> None:
    client, ids, _meeting = site
    stored = client.get(f"/api/cases/{ids[name]}").json()
    fields: dict[str, list[str]] = {}
    for key, value in forms.form_pairs(stored["case"]):
        fields.setdefault(key, []).append(value)
    panel = client.post("/cases/preview", data=fields)
    assert panel.status_code == 200
    level = stored["assessment"]["triage"]["level"]
    assert f'data-level="{level}"' in panel.text, name


def test_the_lists_render_with_every_case(site: Any) -> None:
    client, ids, meeting = site
    listing = client.get("/cases?page_no=1")
    assert listing.status_code == 200 and f"{len(ids)} found" in listing.text
    for path in (f"/meetings/{meeting}", f"/meetings/{meeting}/outcomes", "/meetings"):
        assert client.get(path).status_code == 200, path
