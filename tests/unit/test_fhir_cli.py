"""`oncospine fhir import BUNDLE` and `oncospine fhir export CASE`: the case on stdout, what could
not be mapped on stderr, exit status 2 with a clear message for anything malformed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from oncospine.case import load_case, parse_case_text, validate_case
from oncospine.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "src" / "oncospine" / "examples" / "mscc-emergency.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "fhir"
runner = CliRunner()


def invoke(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_export_then_import_gives_the_same_case(tmp_path):
    exported = invoke("fhir", "export", str(EXAMPLE))
    assert exported.exit_code == 0
    bundle = json.loads(exported.stdout)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    path = tmp_path / "bundle.json"
    path.write_text(exported.stdout, encoding="utf-8")
    imported = invoke("fhir", "import", str(path))
    assert imported.exit_code == 0
    assert validate_case(json.loads(imported.stdout)) == load_case(EXAMPLE)
    assert "oncospine assessment outputs" in imported.stderr
    assert "not mapped" not in imported.stderr


def test_import_reads_stdin_and_writes_yaml():
    bundle = invoke("fhir", "export", str(EXAMPLE)).stdout
    result = invoke("fhir", "import", "-", "--format", "yaml", input=bundle)
    assert result.exit_code == 0
    assert parse_case_text(result.stdout) == load_case(EXAMPLE)
    assert yaml.safe_load(result.stdout)["cancer"]["primary_site"] == "lung_nsclc"


def test_export_reads_stdin():
    result = invoke("fhir", "export", "-", input=EXAMPLE.read_text("utf-8"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["identifier"]["value"] == "demo-mscc-emergency"


def test_import_lists_what_it_could_not_map(tmp_path):
    resources = [json.loads((FIXTURES / f"{n}.json").read_text("utf-8"))
                 for n in ("r4-patient", "r4-observation-heart-rate", "r4-observation-ecog")]
    path = tmp_path / "ehr.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "searchset",
                                "entry": [{"resource": r} for r in resources]}))
    result = invoke("fhir", "import", str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == {"ecog": 1}
    assert "not mapped (1):" in result.stderr
    assert "Observation/obs-hr: Heart rate: code not read" in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "cannot read"),
    ('{"resourceType": "Patient"}', "expected a FHIR Bundle"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
     '{"resourceType": "Observaton"}}]}', "did you mean 'Observation'"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
     '{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, '
     '"valueBoolean": "maybe"}}]}', "valueBoolean"),
])
def test_a_malformed_bundle_exits_2_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = invoke("fhir", "import", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_file_exits_2():
    result = invoke("fhir", "import", "/nonexistent/bundle.json")
    assert result.exit_code == 2
    assert "cannot read /nonexistent/bundle.json" in result.stderr


def test_export_of_an_invalid_case_exits_2(tmp_path):
    path = tmp_path / "case.json"
    path.write_text('{"format": "oncospine-case/1", "status": {"ecgo": 1}}')
    result = invoke("fhir", "export", str(path))
    assert result.exit_code == 2
    assert "did you mean 'ecog'" in result.stderr


def test_the_installed_command_round_trips_in_a_real_process(tmp_path):
    script = ROOT / ".venv" / "bin" / "oncospine"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "oncospine"]
    exported = subprocess.run([*command, "fhir", "export", str(EXAMPLE)], capture_output=True,
                              text=True, timeout=120, check=True)
    imported = subprocess.run([*command, "fhir", "import", "-"], input=exported.stdout,
                              capture_output=True, text=True, timeout=120, check=True)
    assert validate_case(json.loads(imported.stdout)) == load_case(EXAMPLE)
