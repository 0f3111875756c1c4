"""The policy pack stands alone: `pulumi policy publish policies` uploads the folder, and the folder is enough.

- What the pack shares with the program (doors, backends, names) is a copy offline/pack_build.py writes;
  the committed copy must be exactly what the build writes from the program today.
- Its requirements are pulumi-policy and what it needs, at uv.lock's versions.
- Its modules import the standard library, its requirements and each other, nothing else (read from the
  source, and seen in a process that has only the pack's folder and site-packages on sys.path).
- A copy of the folder under another name, started the way the CLI starts a pack, serves every policy.
"""

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from offline import pack_build
from policies.catalog import ALL_POLICIES, PACK_NAME
from tests.policies.analyzer import RunningPack

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"
LOCAL = {"venv", "__pycache__"}  # made on this machine, never published


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> dict[str, str]:
    lines = (PACK_DIR / "requirements.txt").read_text().splitlines()
    pins = [line.split(";")[0].strip() for line in lines if line.strip() and not line.startswith("#")]
    return {_normalized(name): version for name, _, version in (pin.partition("==") for pin in pins)}


def _pack_sources() -> list[Path]:
    return sorted(p for p in PACK_DIR.rglob("*.py") if not LOCAL & set(p.relative_to(PACK_DIR).parts))


def _published_copy(tmp_path: Path) -> Path:
    """The folder as `pulumi policy publish` would ship it, under a name that is not `policies`."""
    copy = tmp_path / "global-serverless-pack-1.0.0"
    shutil.copytree(PACK_DIR, copy, ignore=shutil.ignore_patterns(*LOCAL))
    return copy


# -- the copy the build step writes ------------------------------------------------------------


def test_the_committed_copies_are_what_the_build_writes():
    stale = [
        str(path.relative_to(ROOT))
        for path, content in pack_build.render().items()
        if not path.is_file() or path.read_text() != content
    ]
    assert not stale, f"stale copies in the pack: {stale}; run `make pack` (python -m offline.pack_build)"


def test_the_build_copies_the_registry_and_every_constant_the_pack_reads():
    facts = json.loads((PACK_DIR / "shared" / "registry.json").read_text())
    from components import registry

    assert set(facts["doors"]) == set(registry.DOORS) and set(facts["backends"]) == set(registry.BACKENDS)
    # Every constant("NAME") in the pack is one the build copies (a name it lacks fails at import, too).
    wanted = {
        node.args[0].value
        for path in _pack_sources()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "constant"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    copied = {name for names in pack_build.SHARED_CONSTANTS.values() for name in names}
    assert wanted and wanted <= copied, f"constants the pack reads but the build does not copy: {wanted - copied}"


def test_check_mode_names_a_stale_copy_and_exits_1(tmp_path, monkeypatch, capsys):
    target = tmp_path / "constants.json"
    target.write_text("{}\n")
    files = {target: '{"values": {}}\n'}
    monkeypatch.setattr(pack_build, "render", lambda: files)
    assert pack_build.main(["--check"]) == pack_build.EXIT_STALE
    assert "differs from what the build writes; run `make pack`" in capsys.readouterr().out
    assert target.read_text() == "{}\n"  # --check writes nothing
    assert pack_build.main([]) == pack_build.EXIT_OK and target.read_text() == files[target]
    capsys.readouterr()
    assert pack_build.main(["--check", "--json"]) == pack_build.EXIT_OK
    assert json.loads(capsys.readouterr().out) == {"files": [str(target)], "stale": []}


def test_a_constant_the_program_no_longer_defines_is_a_build_error(monkeypatch, capsys):
    monkeypatch.setitem(pack_build.SHARED_CONSTANTS, "functions.api.contract", ("NO_SUCH_NAME",))
    assert pack_build.main(["--check"]) == pack_build.EXIT_ERROR
    assert "functions.api.contract no longer defines NO_SUCH_NAME" in capsys.readouterr().err


# -- requirements -----------------------------------------------------------------------------


def test_requirements_pin_pulumi_policy_and_its_dependencies_as_uv_lock_does():
    pins = _requirements()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (declared,) = pyproject["dependency-groups"]["policy"]
    name, _, version = declared.partition("==")
    assert pins[_normalized(name)] == version
    lock = {_normalized(p["name"]): p["version"] for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    assert {"pulumi", "grpcio", "protobuf"} <= set(pins)
    assert all(lock[name] == version for name, version in pins.items())
    # .venv was synced from the same lock: the offline check runs the versions the pack will.
    assert all(importlib.metadata.version(name) == version for name, version in pins.items())


def test_policy_pack_yaml_runs_the_pack_in_its_own_virtualenv():
    spec = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert spec["runtime"]["name"] == "python" and "main" not in spec
    venv = spec["runtime"]["options"]["virtualenv"]
    assert not Path(venv).is_absolute() and ".." not in Path(venv).parts, "the pack's own folder, not the project's"
    ignored = (PACK_DIR / ".gitignore").read_text().split()
    assert f"{venv}/" in ignored, "the virtualenv is made where the pack runs, never committed nor published"
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(spec["version"]))


# -- imports ----------------------------------------------------------------------------------


def _allowed_top_level() -> set[str]:
    """Top-level modules of the pack's requirements (installed here from the same lock)."""
    pins = set(_requirements())
    provided = importlib.metadata.packages_distributions()
    return {module for module, dists in provided.items() if any(_normalized(d) in pins for d in dists)}


def test_pack_modules_import_only_the_standard_library_their_requirements_and_the_pack():
    allowed = _allowed_top_level() | set(sys.stdlib_module_names) | {"__future__", "policies"}
    outside = []
    for path in _pack_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            outside += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] not in allowed]
    assert not outside, f"the pack imports the project (copy it with offline/pack_build.py instead): {outside}"


# What a process holding only the pack's folder loads: run the entry point up to PolicyPack, recorded.
_PROBE = r"""
import json, runpy, sys
from pathlib import Path

import pulumi_policy

pack = Path(sys.argv[1]).resolve()
built = {}


class Recorded:
    def __init__(self, name, policies, enforcement_level=None, **options):
        built.update(name=name, policies=[p.name for p in policies], level=enforcement_level.value)


pulumi_policy.PolicyPack = Recorded
runpy.run_path(str(pack), run_name="__main__")
site = [Path(p).resolve() for p in sys.path if p.endswith("site-packages")]
stdlib = Path(sys.base_prefix).resolve()
files = {name: Path(m.__file__).resolve() for name, m in list(sys.modules.items()) if getattr(m, "__file__", None)}
print(json.dumps({
    "built": built,
    "modules": sorted(sys.modules),
    "pack": sorted(name for name, f in files.items() if f.is_relative_to(pack)),
    "site": sorted({name.split(".")[0] for name, f in files.items() if any(f.is_relative_to(s) for s in site)}),
    "elsewhere": sorted(str(f) for f in files.values()
                        if not f.is_relative_to(pack) and not f.is_relative_to(stdlib)
                        and not any(f.is_relative_to(s) for s in site)),
    "path": sys.path,
}))
"""


def test_the_entry_point_builds_the_pack_from_its_folder_alone(tmp_path):
    copy = _published_copy(tmp_path)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE, str(copy)], cwd=copy, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert str(ROOT) not in seen["path"] and "" not in seen["path"]
    assert seen["built"] == {"name": PACK_NAME, "policies": [p.name for p in ALL_POLICIES], "level": "mandatory"}
    assert "policies.catalog" in seen["pack"] and seen["elsewhere"] == []
    project = {"components", "functions", "offline", "ops", "bench", "tests"}
    assert not [m for m in seen["modules"] if m.split(".")[0] in project]
    provided = importlib.metadata.packages_distributions()
    pins = set(_requirements())
    unpinned = [m for m in seen["site"] if not any(_normalized(d) in pins for d in provided.get(m, [m]))]
    assert not unpinned, f"the pack loads site packages its requirements.txt does not pin: {unpinned}"


@pytest.fixture
def published_pack(tmp_path):
    running = RunningPack(_published_copy(tmp_path))
    yield running
    running.close()


def test_a_copy_of_the_folder_serves_every_policy_as_the_cli_runs_it(published_pack):
    info = published_pack.info()
    assert info.name == PACK_NAME
    assert [p.name for p in info.policies] == [p.name for p in ALL_POLICIES]
