"""A door or backend is known in one place: its own module (and its one registry line).

No production module spells a door's or backend's key as a string constant outside its own module, the
registry and the documented exceptions below; so a new door or backend is one module plus one line, and
renaming one cannot leave a branch behind that silently stops matching.
"""

from __future__ import annotations

import ast
from pathlib import Path

from components import registry

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("components", "functions", "offline", "ops", "policies", "bench", "__main__.py")
SKIP_DIRS = {"venv", ".venv", "__pycache__", "shared", "data"}

# path -> {key: why it may be spelled there}. Each entry is a known exception, not a place to add branches.
EXCEPTIONS: dict[str, dict[str, str]] = {
    # The defaults a stack gets without the key (the registry's own module).
    "components/registry.py": {key: "the registry" for key in (*registry.DOORS, *registry.BACKENDS)},
    # The event shape the ALB delivers (not the backend key): bench/handler.py --shape alb.
    "bench/handler.py": {"alb": "the ALB event shape's name"},
}


def own_files() -> dict[str, set[str]]:
    """Key -> the files allowed to spell it: its module."""
    files: dict[str, set[str]] = {}
    for table in (registry.DOORS, registry.BACKENDS):
        for key in table:
            path = registry.module_source(table.modules[key]).resolve().relative_to(ROOT)
            files.setdefault(key, set()).add(str(path))
    return files


def production_files() -> list[Path]:
    found = []
    for top in PRODUCTION:
        path = ROOT / top
        if path.is_file():
            found.append(path)
            continue
        found += [p for p in path.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted(found)


def literals(path: Path, keys: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys
    ]


def test_no_production_module_spells_a_door_or_backend_outside_its_own_module():
    keys = {*registry.DOORS, *registry.BACKENDS}
    own = own_files()
    found = []
    for path in production_files():
        name = str(path.relative_to(ROOT))
        allowed = EXCEPTIONS.get(name, {})
        for line, key in literals(path, keys):
            if name in own.get(key, set()) or key in allowed:
                continue
            found.append(f"{name}:{line}: {key!r}")
    assert not found, "door/backend keys spelled outside their own module:\n" + "\n".join(found)


def test_every_exception_is_still_needed():
    keys = {*registry.DOORS, *registry.BACKENDS}
    for name, allowed in EXCEPTIONS.items():
        spelled = {key for _, key in literals(ROOT / name, keys)}
        assert set(allowed) <= spelled, f"{name}: no longer spells {sorted(set(allowed) - spelled)}: drop it"


def test_the_check_finds_a_spelled_key(tmp_path):
    """The scan is not vacuous: a module that branches on a door's name is found."""
    (tmp_path / "branch.py").write_text('def f(door):\n    return door == "route53"\n')
    assert literals(tmp_path / "branch.py", {*registry.DOORS}) == [(2, "route53")]
