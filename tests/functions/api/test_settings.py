"""Environment validation at cold start, and what happens (and does not) at import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from functions.api import contract, runtime
from functions.api.handler import handler
from functions.api.settings import FunctionSettings, SettingsError, load_settings
from tests.support.api_client import Api
from tests.support.api_events import LambdaContext, build_event

VALID = {
    contract.ENV_REGION: "eu-west-1",
    contract.ENV_TABLE_NAME: "items",
    contract.ENV_CHAOS_PARAMETER: "/chaos/eu-west-1",
}
REQUIRED = (contract.ENV_REGION, contract.ENV_TABLE_NAME, contract.ENV_CHAOS_PARAMETER)


def test_valid_environment():
    assert load_settings(VALID) == FunctionSettings(
        region="eu-west-1", table_name="items", chaos_parameter_name="/chaos/eu-west-1", health_path="/health"
    )


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_variable_is_named(name, value):
    environ = {**VALID, name: value} if value is not None else {k: v for k, v in VALID.items() if k != name}
    with pytest.raises(SettingsError, match=name):
        load_settings(environ)


def test_every_missing_variable_is_named_at_once():
    with pytest.raises(SettingsError) as raised:
        load_settings({})
    assert all(name in str(raised.value) for name in REQUIRED)


def test_health_path_override():
    assert load_settings({**VALID, contract.ENV_HEALTH_PATH: "/healthz"}).health_path == "/healthz"


@pytest.mark.parametrize("path", ["health", "/items/health", "/items"])
def test_bad_health_path_is_refused(path):
    with pytest.raises(SettingsError, match=contract.ENV_HEALTH_PATH):
        load_settings({**VALID, contract.ENV_HEALTH_PATH: path})


def test_handler_fails_clearly_without_its_environment(environment, monkeypatch):
    monkeypatch.delenv(contract.ENV_TABLE_NAME)
    with pytest.raises(SettingsError, match=contract.ENV_TABLE_NAME):
        handler(build_event("alb", "GET", "/health"), LambdaContext())


def test_environment_is_read_once_per_cold_start(aws, monkeypatch):
    api = Api("http")
    assert api.get("/health").status == 200
    monkeypatch.setenv(contract.ENV_HEALTH_PATH, "/healthz")
    assert api.get("/health").status == 200
    runtime.reset_runtime()
    assert api.get("/healthz").status == 200


def test_import_needs_no_environment_and_calls_no_aws():
    script = textwrap.dedent(
        """
        import botocore.client

        def refuse(*args, **kwargs):
            raise AssertionError("AWS call at import")

        botocore.client.BaseClient._make_api_call = refuse
        import functions.api.handler
        from functions.api import runtime
        assert runtime._runtime is None
        print("imported")
        """
    )
    root = Path(__file__).resolve().parents[3]
    environ = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=environ, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("imported")


def test_package_imports_under_its_lambda_name(tmp_path):
    """Zipped as the top-level package `api` (contract.HANDLER): relative imports must hold."""
    source = Path(__file__).resolve().parents[3] / "functions" / "api"
    shutil.copytree(source, tmp_path / contract.PACKAGE_NAME, ignore=shutil.ignore_patterns("__pycache__"))
    module_name, _, function_name = contract.HANDLER.rpartition(".")
    script = f"import importlib; assert callable(importlib.import_module({module_name!r}).{function_name})"
    environ = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environ, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
