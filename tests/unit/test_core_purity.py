"""A pure core: scores and pathway rules import no web framework, database, dataframe, HTTP
client, template engine, CLI or terminal library, and no FHIR model.

Two checks: importing the core in a fresh interpreter loads none of them, and no core source
file names one in an import statement (so a lazy import inside a function is caught too).

References: DESIGN.md principle 3 "A pure core".
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import oncospine

FORBIDDEN = frozenset({"fastapi", "starlette", "sqlalchemy", "polars", "httpx", "jinja2",
                       "typer", "rich", "fhir"})
CORE_MODULES = ("oncospine.assessment", "oncospine.case", "oncospine.scores",
                "oncospine.pathway.plan")
PACKAGE = Path(oncospine.__file__).parent
CORE_FILES = ("case.py", "assessment.py", "derive.py", "vocab.py", "errors.py")
CORE_PACKAGES = ("scores", "pathway", "knowledge")


def core_sources() -> list[Path]:
    files = [PACKAGE / name for name in CORE_FILES]
    for package in CORE_PACKAGES:
        files += sorted((PACKAGE / package).rglob("*.py"))
    return files


def imported_top_levels(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def test_importing_the_core_loads_no_edge_library():
    code = (
        "import json, sys\n"
        f"import {', '.join(CORE_MODULES)}\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout))
    assert "oncospine" in loaded
    assert not loaded & FORBIDDEN, f"core import pulled in {sorted(loaded & FORBIDDEN)}"


def test_assessing_a_case_loads_no_edge_library():
    code = (
        "import json, sys\n"
        "from oncospine.case import validate_case\n"
        "from oncospine.assessment import assess\n"
        "assess(validate_case({'format': 'oncospine-case/1',"
        " 'cancer': {'history': 'current', 'primary_site': 'breast'},"
        " 'presentation': {'spinal_pain': True, 'neuro_features': ['limb_weakness']},"
        " 'lesions': [{'level': 'T12', 'escc': '2'}]}))\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout))
    assert not loaded & FORBIDDEN, f"assessing pulled in {sorted(loaded & FORBIDDEN)}"


def test_the_core_file_list_is_not_empty_and_exists():
    files = core_sources()
    assert all(path.exists() for path in files)
    assert len(files) > len(CORE_FILES)


@pytest.mark.parametrize("path", core_sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_core_source_file_imports_an_edge_library(path):
    bad = [(line, name) for line, name in imported_top_levels(path) if name in FORBIDDEN]
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_no_core_source_file_imports_the_cli_or_renderers():
    for path in core_sources():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("oncospine.cli", "oncospine.render")), \
                    f"{path.relative_to(PACKAGE)} imports {name}"


def test_the_scan_would_catch_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from rich.console import Console\n"
                      "    import sqlalchemy.orm\n    return Console\n", encoding="utf-8")
    names = {name for _, name in imported_top_levels(sample)}
    assert {"rich", "sqlalchemy"} <= names
