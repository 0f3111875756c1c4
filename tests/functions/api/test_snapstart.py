"""SnapStart runtime hooks (functions/api/snapstart.py): what restored execution environments must not share."""

import importlib
import json
import os
import random
import subprocess
import sys
import types
from pathlib import Path

import pytest

from functions.api import runtime, snapstart

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def lambda_runtime_library(monkeypatch):
    """snapshot_restore_py as Lambda's Python runtimes provide it, recording what registers."""
    registered = []
    module = types.ModuleType("snapshot_restore_py")
    module.register_after_restore = lambda func, *args, **kwargs: registered.append(func)
    module.register_before_snapshot = lambda func, *args, **kwargs: None
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    yield registered
    monkeypatch.delitem(sys.modules, "snapshot_restore_py")
    importlib.reload(snapstart)


def test_importing_registers_the_restore_hook_where_lambda_provides_the_library(lambda_runtime_library):
    reloaded = importlib.reload(snapstart)
    assert reloaded.REGISTERED
    assert lambda_runtime_library == [reloaded.after_restore]


def test_importing_registers_nothing_without_the_library():
    assert "snapshot_restore_py" not in sys.modules
    assert importlib.reload(snapstart).REGISTERED is False


@pytest.mark.parametrize(
    ("initialization", "imports_hooks"),
    [("snap-start", True), ("on-demand", False), ("provisioned-concurrency", False)],
)
def test_the_handler_module_imports_the_hooks_in_snapstarts_initialization_only(initialization, imports_hooks):
    """Lambda ignores hooks in a module the handler's module does not import; other cold starts skip the module."""
    from functions.api import handler

    probe = (
        "import json, sys; import functions.api.handler as h; "
        "print(json.dumps([getattr(h, 'snapstart', None) is not None, 'functions.api.snapstart' in sys.modules]))"
    )
    env = {**os.environ, handler.INITIALIZATION_TYPE: initialization}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == [imports_hooks, imports_hooks]


def test_restored_environments_draw_different_random_sequences():
    """Two environments resumed from one snapshot start from the same random state: without the hook they
    draw the same jitter and log sample; with it, each its own."""
    snapshot = random.getstate()
    try:
        random.setstate(snapshot)
        first = [random.random() for _ in range(3)]
        random.setstate(snapshot)
        assert [random.random() for _ in range(3)] == first  # the problem the hook is for

        random.setstate(snapshot)
        snapstart.after_restore()
        one = [random.random() for _ in range(3)]
        random.setstate(snapshot)
        snapstart.after_restore()
        other = [random.random() for _ in range(3)]
        assert one != other and one != first
    finally:
        random.seed()


def test_a_restore_forgets_the_runtime_built_before_the_snapshot(monkeypatch):
    """Clients holding the initialization's credentials and connections, caches stamped with its clock."""
    monkeypatch.setattr(runtime, "_runtime", object())
    snapstart.after_restore()
    assert runtime._runtime is None
