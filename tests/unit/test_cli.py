"""The `oncospine` command line: assess, score, schema, rules, example.

Invalid input prints what is wrong on stderr and exits with status 2, never a traceback.
Most tests drive `oncospine.cli.app` in-process with Typer's CliRunner; a few run the installed
console script in a real subprocess.

References: DESIGN.md principle 4; shared spec case-format.md, assessment-format.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import oncospine
from oncospine.case import case_json_schema, parse_case_text
from oncospine.cli import app, example_names
from oncospine.knowledge import load
from oncospine.render.markdown import rules_markdown
from oncospine.render.rows import LEVEL_LABEL

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path(oncospine.__file__).parent / "examples"
SCRIPT = ROOT / ".venv" / "bin" / "oncospine"
VALID = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T09:30:00+00:00",
         "id": "cli-case", "cancer": {"history": "current", "primary_site": "breast"},
         "presentation": {"spinal_pain": True, "neuro_features": []}}
SINS_ARGS = ["--level", "T12", "--pain", "mechanical", "--bone-lesion", "lytic",
             "--alignment", "normal", "--collapse", "under_50", "--posterolateral", "unilateral"]

runner = CliRunner()


def invoke(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=input)
    # A user error never leaks an exception or a traceback past the CLI.
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    return result


def write(tmp_path: Path, data: Any, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def script() -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-m", "oncospine"]


def run_script(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([*script(), *args], input=input, capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


# ---------------------------------------------------------------- assess


def test_assess_json_prints_an_oncospine_assessment(tmp_path):
    result = invoke("assess", str(write(tmp_path, VALID)), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "oncospine-assessment/1"
    assert doc["case_id"] == "cli-case"
    assert doc["triage"]["level"] == "urgent"


def test_assess_json_short_option_is_accepted(tmp_path):
    result = invoke("assess", str(write(tmp_path, VALID)), "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["format"] == "oncospine-assessment/1"


def test_assess_markdown_prints_the_triage_heading(tmp_path):
    result = invoke("assess", str(write(tmp_path, VALID)), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Assessment cli-case")
    assert f"## Triage: {LEVEL_LABEL['urgent']}" in result.stdout


def test_assess_text_is_the_default_and_shows_the_triage_level(tmp_path):
    result = invoke("assess", str(write(tmp_path, VALID)))
    assert result.exit_code == 0, result.stderr
    assert LEVEL_LABEL["urgent"] in result.stdout
    assert "decision support only" in result.stdout


def test_assess_reads_a_yaml_case(tmp_path):
    path = write(tmp_path, (EXAMPLES / "mscc-emergency.yaml").read_text("utf-8"), "c.yaml")
    result = invoke("assess", str(path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["triage"]["level"] == "emergency"


def test_assess_dash_reads_the_case_from_standard_input():
    result = invoke("assess", "-", "--format", "json", input=json.dumps(VALID))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["case_id"] == "cli-case"


def test_an_invalid_case_exits_2_naming_the_field_on_stderr(tmp_path):
    bad = {**VALID, "cancer": {"history": "current", "primary_site": "brest"}}
    result = invoke("assess", str(write(tmp_path, bad)), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cancer.primary_site" in result.stderr
    assert "'brest'" in result.stderr
    assert "did you mean 'breast'" in result.stderr


def test_an_unknown_key_in_the_case_exits_2_with_did_you_mean(tmp_path):
    bad = {**VALID, "lesions": [{"level": "T12", "bone_lesoin": "lytic"}]}
    result = invoke("assess", str(write(tmp_path, bad)))
    assert result.exit_code == 2
    assert "lesions.0.bone_lesoin" in result.stderr
    assert "did you mean 'bone_lesion'" in result.stderr


def test_an_inconsistent_case_exits_2_with_the_fix(tmp_path):
    bad = {**VALID, "disease": {"brain_metastases": True, "visceral_metastases": "none"}}
    result = invoke("assess", str(write(tmp_path, bad)))
    assert result.exit_code == 2
    assert "disease.visceral_metastases" in result.stderr
    assert "D-07" in result.stderr


def test_a_missing_case_file_exits_2(tmp_path):
    missing = tmp_path / "missing.yaml"
    result = invoke("assess", str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.stderr


def test_a_case_that_is_neither_json_nor_yaml_exits_2(tmp_path):
    result = invoke("assess", str(write(tmp_path, "format: [x\n : : :", "bad.yaml")))
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr


def test_an_unknown_output_format_is_a_usage_error():
    result = invoke("assess", "-", "--format", "pdf", input=json.dumps(VALID))
    assert result.exit_code == 2


# ---------------------------------------------------------------- score


def test_score_sins_for_the_worked_example_totals_11():
    result = invoke("score", "sins", *SINS_ARGS, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["score"] == "sins"
    assert out["lesions"][0]["total"] == 11
    assert out["worst"]["total"] == 11
    assert out["worst"]["band"] == "indeterminate"


def test_score_accepts_option_equals_value():
    result = invoke("score", "sins", "--level=T12", "--pain=mechanical", "--bone-lesion=lytic",
                    "--alignment=normal", "--collapse=under_50", "--posterolateral=unilateral",
                    "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["lesions"][0]["total"] == 11


def test_score_without_json_prints_a_table_with_the_score_name():
    result = invoke("score", "escc", "--grade", "1c")
    assert result.exit_code == 0, result.stderr
    assert "escc" in result.stdout
    assert "borderline" in result.stdout


def test_score_with_an_unknown_option_exits_2_with_did_you_mean():
    result = invoke("score", "sins", "--levl", "T12", "--json")
    assert result.exit_code == 2
    assert "--levl" in result.stderr
    assert "did you mean '--level'" in result.stderr


def test_score_with_an_unknown_score_name_exits_2_with_did_you_mean():
    result = invoke("score", "sinss", "--level", "T12")
    assert result.exit_code == 2
    assert "unknown score 'sinss'" in result.stderr
    assert "did you mean 'sins'" in result.stderr


def test_score_with_an_invalid_value_exits_2_naming_the_option():
    result = invoke("score", "sins", "--level", "T13", "--json")
    assert result.exit_code == 2
    assert "--level" in result.stderr
    assert "'T13'" in result.stderr


def test_score_with_an_option_missing_its_value_exits_2():
    result = invoke("score", "sins", "--level")
    assert result.exit_code == 2
    assert "missing a value" in result.stderr


def test_score_with_a_bare_word_instead_of_an_option_exits_2():
    result = invoke("score", "sins", "T12")
    assert result.exit_code == 2
    assert "expected --field value" in result.stderr


# ---------------------------------------------------------------- schema, rules, example


def test_schema_prints_the_case_json_schema():
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == case_json_schema()
    assert schema["title"] == "oncospine-case/1"


def test_rules_json_prints_the_rule_catalogue():
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == load("rules")
    assert "TRI-001" in data["rules"]


def test_rules_markdown_prints_the_generated_catalogue():
    result = invoke("rules", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout == rules_markdown()


def test_rules_text_prints_a_table_of_rules():
    result = invoke("rules", "--format", "text")
    assert result.exit_code == 0
    assert "oncospine rule catalogue" in result.stdout
    assert "TRI-001" in result.stdout


def test_rules_default_is_text():
    result = invoke("rules")
    assert result.exit_code == 0
    assert "oncospine rule catalogue" in result.stdout


def test_example_without_a_name_lists_every_example():
    result = invoke("example")
    assert result.exit_code == 0
    names = result.stdout.split()
    assert names == sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert "mscc-emergency" in names
    assert names == example_names()


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_example_prints_a_case_that_validates(name):
    result = invoke("example", name)
    assert result.exit_code == 0
    assert result.stdout == (EXAMPLES / f"{name}.yaml").read_text("utf-8")
    assert parse_case_text(result.stdout).format == "oncospine-case/1"


def test_an_unknown_example_exits_2_with_did_you_mean():
    result = invoke("example", "mscc-emergancy")
    assert result.exit_code == 2
    assert "unknown example 'mscc-emergancy'" in result.stderr
    assert "did you mean 'mscc-emergency'" in result.stderr


def test_no_arguments_shows_help_and_does_not_crash():
    result = runner.invoke(app, [])
    assert "assess" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- the real console script


def test_the_installed_script_assesses_a_case_as_json(tmp_path):
    proc = run_script("assess", str(write(tmp_path, VALID)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["format"] == "oncospine-assessment/1"


def test_the_installed_script_rejects_an_invalid_case_with_exit_2(tmp_path):
    bad = {**VALID, "status": {"ecog": 6}}
    proc = run_script("assess", str(write(tmp_path, bad)), "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "status.ecog" in proc.stderr


def test_the_installed_script_rejects_a_missing_file_with_exit_2(tmp_path):
    proc = run_script("assess", str(tmp_path / "nope.json"))
    assert proc.returncode == 2
    assert "nope.json" in proc.stderr


def test_the_installed_script_scores_sins_11():
    proc = run_script("score", "sins", *SINS_ARGS, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["lesions"][0]["total"] == 11


def test_the_installed_script_pipes_an_example_into_assess_dash():
    example = run_script("example", "mscc-emergency")
    assert example.returncode == 0
    proc = run_script("assess", "-", "--format", "markdown", input=example.stdout)
    assert proc.returncode == 0, proc.stderr
    assert LEVEL_LABEL["emergency"] in proc.stdout


def test_the_installed_script_renders_text_without_a_terminal():
    example = run_script("example", "mscc-emergency")
    proc = run_script("assess", "-", input=example.stdout)
    assert proc.returncode == 0, proc.stderr
    assert LEVEL_LABEL["emergency"] in proc.stdout
    assert "[already done]" in proc.stdout


def test_the_installed_script_rejects_an_unknown_score_with_exit_2():
    proc = run_script("score", "tokuhasi", "--kps", "70")
    assert proc.returncode == 2
    assert "did you mean 'tokuhashi'" in proc.stderr


def test_python_dash_m_oncospine_runs_the_same_cli():
    proc = subprocess.run([sys.executable, "-m", "oncospine", "schema"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"] == "oncospine-case/1"
