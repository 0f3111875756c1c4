"""What a cold start imports, and when it collects garbage: the deployed package, built once, in a fresh
interpreter.

Every module a container imports is compiled from source at its cold start (Lambda's /var/task is
read-only and the zip carries no bytecode for the runtime's Python), so what a stack does not use
must not be imported: the token modules without `auth`, the origin guard without origin secrets,
SnapStart's hooks outside SnapStart's initialization, Powertools' idempotency utility until a request carries
an Idempotency-Key.
"""

import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from components.stack.packaging import API_SOURCE, build_zip
from functions.api import contract
from tests.integration.deploy import function_environment

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import api.handler
from api.runtime import get_runtime
get_runtime()
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("api.", "aws_lambda_powertools.utilities")))))
"""

TOKEN_MODULES = {"api.access.auth", "api.access.jwks", "api.access.tokens"}
ORIGIN_SECRET_PATH = "/global-serverless/test/origin-secret"


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-package")
    zipfile.ZipFile(io.BytesIO(build_zip(API_SOURCE, contract.PACKAGE_NAME))).extractall(root)
    return root


def probe_environment(**extra) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        **function_environment("items", "/global-serverless/test/chaos"),
        contract.ENV_REGION: "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        **extra,
    }


def imported(package, **extra) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(package)],
        env=probe_environment(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_a_stack_without_auth_never_imports_the_token_modules(package):
    modules = imported(package)
    assert "api.routes" in modules and "api.store" in modules
    assert not modules & TOKEN_MODULES
    assert "api.access.origin_guard" not in modules
    assert "api.snapstart" not in modules
    assert not any(m.startswith("aws_lambda_powertools.utilities.idempotency") for m in modules)


def test_a_stack_with_auth_imports_them_when_the_container_starts(package):
    modules = imported(
        package,
        **{contract.ENV_AUTH_ISSUER: "https://issuer.example.com", contract.ENV_AUTH_AUDIENCE: "global-serverless"},
    )
    assert TOKEN_MODULES <= modules


def test_a_stack_behind_cloudfront_imports_the_origin_guard_when_the_container_starts(package):
    assert "api.access.origin_guard" in imported(package, **{contract.ENV_ORIGIN_SECRET_PATH: ORIGIN_SECRET_PATH})
    assert "api.access.origin_guard" in imported(package, **{contract.ENV_ORIGIN_SECRETS: '["a-secret"]'})


def test_snapstarts_initialization_imports_the_hooks(package):
    assert "api.snapstart" in imported(package, AWS_LAMBDA_INITIALIZATION_TYPE="snap-start")


COLLECTOR_PROBE = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
import api.handler

class Context:
    function_name, function_version, memory_limit_in_mb = "probe", "1", 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:probe"
    aws_request_id = "probe-request"

paused_at_import = not gc.isenabled()
try:
    api.handler.handler({"not": "an event"}, Context())  # the runtime is built, then the event refused
except api.handler.UnsupportedEvent:
    pass
print(json.dumps([paused_at_import, gc.isenabled(), gc.get_freeze_count() > 0]))
"""


@pytest.mark.parametrize(("on_lambda", "expected"), [(True, [True, True, True]), (False, [False, True, False])])
def test_on_lambda_collection_pauses_through_the_cold_start_then_resumes_with_the_setup_frozen(
    package, on_lambda, expected
):
    env = probe_environment(**({"AWS_LAMBDA_FUNCTION_NAME": "probe"} if on_lambda else {}))
    done = subprocess.run(
        [sys.executable, "-c", COLLECTOR_PROBE, str(package)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == expected
