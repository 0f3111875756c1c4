"""The layout shows the architecture: small folders, one name per class, pure planning apart from Pulumi."""

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("components", "functions", "offline", "ops", "policies", "bench")
MAX_MODULES_PER_FOLDER = 12
# The policy pack keeps one flat module per concern (as awsguard does), published as one folder.
FLAT_BY_DESIGN = {Path("policies")}

# Pure planning: plain functions over plain values, tested without Pulumi's runtime (and cheap to import).
PURE_MODULES = (
    "components.config",
    "components.registry",
    "components.stack.naming",
    "components.stack.hostnames",
    "components.stack.regions",
    "components.regional.function_settings",
    "components.regional.release_plan",
    "components.security.exposure",
    "components.doors.edge_routing",
    "functions.api.contract",
    "functions.edge.contract",
    "functions.probe.contract",
)


def production_files():
    for root in PRODUCTION:
        for path in sorted((ROOT / root).rglob("*.py")):
            if not {"venv", "__pycache__", "models"} & set(path.relative_to(ROOT).parts):
                yield path


def test_no_folder_holds_more_than_a_dozen_modules():
    folders = defaultdict(list)
    for path in production_files():
        if path.name != "__init__.py":
            folders[path.parent.relative_to(ROOT)].append(path.name)
    crowded = {
        str(folder): len(names)
        for folder, names in folders.items()
        if len(names) > MAX_MODULES_PER_FOLDER and folder not in FLAT_BY_DESIGN
    }
    assert not crowded, f"folders over {MAX_MODULES_PER_FOLDER} modules (group them into subpackages): {crowded}"


def test_no_top_level_class_name_is_defined_twice():
    defined = defaultdict(list)
    for path in production_files():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                defined[node.name].append(str(path.relative_to(ROOT)))
    twice = {name: places for name, places in defined.items() if len(places) > 1}
    assert not twice, f"one name, two classes (rename one so a reader knows which): {twice}"


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_planning_modules_import_no_pulumi(module):
    probe = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m == 'pulumi' or m.startswith(('pulumi.', 'pulumi_'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} imports Pulumi: {out.stdout.strip()[:300]}"
