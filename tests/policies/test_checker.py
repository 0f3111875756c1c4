"""`python -m offline.check`: the whole program under mocks, every policy, exit codes."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from offline.check import EXIT_CONFIG, EXIT_OK, EXIT_VIOLATIONS, main

ROOT = Path(__file__).resolve().parents[2]
NO_DOMAIN = "domain=null"


def check(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_prod_passes():
    code, out, _ = check("--stack", "prod")
    assert code == EXIT_OK
    assert out.splitlines()[-1] == "0 mandatory, 0 advisory violations in 0 resources"


def test_dev_passes_with_deletion_protection_advisory():
    code, out, _ = check("--stack", "dev")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].endswith("pack config generated from Pulumi.dev.yaml")
    assert lines[1] == "note: table-deletion-protection is advisory: Pulumi.dev.yaml sets deletionProtection: false"
    assert lines[-1] == "0 mandatory, 2 advisory violations in 1 resources"
    assert lines[2].startswith(
        "advisory   table-deletion-protection  aws:dynamodb/table:Table 'items' in us-east-1: "
        "deletion protection is off on the table"
    )


# Every valid front door/backend combination the config contract allows, on the prod stack.
VALID = [
    ["frontDoor=globalaccelerator", "backend=alb"],
    ["frontDoor=globalaccelerator", "backend=alb", NO_DOMAIN, "allowPlaintext=true"],
    ["frontDoor=route53", "backend=alb"],
    ["frontDoor=route53", "backend=apigateway"],
    ["frontDoor=cloudfront", "backend=alb"],
    ["frontDoor=cloudfront", "backend=apigateway"],
    ["frontDoor=cloudfront", "backend=alb", NO_DOMAIN, "allowPlaintext=true"],
    ["frontDoor=cloudfront", "backend=apigateway", NO_DOMAIN],
    ['frontDoor={"globalaccelerator": 50, "cloudfront": 50}', "backend=alb"],
    ['frontDoor={"route53": 90, "cloudfront": 10}', "backend=apigateway"],
    ['frontDoor={"route53": 1, "globalaccelerator": 1, "cloudfront": 1}', "backend=alb"],
    [
        "frontDoor=route53",
        "backend=apigateway",
        'regions=["eu-west-1", "us-east-1", "ap-northeast-1"]',
        "aws:region=eu-west-1",
    ],
]


@pytest.mark.parametrize("overrides", VALID, ids=[" ".join(o) for o in VALID])
def test_every_valid_combination_passes(overrides):
    code, out, err = check("--stack", "prod", *[arg for o in overrides for arg in ("--config", o)])
    assert (code, err) == (EXIT_OK, ""), out
    assert "0 mandatory" in out.splitlines()[-1]


@pytest.mark.parametrize("door", ["cloudfront", "globalaccelerator"])
def test_an_accepted_plaintext_hop_is_reported_as_advisory(door):
    overrides = [f"frontDoor={door}", "backend=alb", "domain=null", "allowPlaintext=true"]
    code, out, _ = check("--stack", "prod", *[arg for o in overrides for arg in ("--config", o)])
    assert code == EXIT_OK, out
    assert "advisory   no-plaintext-hop  aws:lb/listener:Listener" in out and "plain HTTP" in out
    assert "0 mandatory" in out.splitlines()[-1]


def test_one_region_fails_min_regions():
    code, out, _ = check("--stack", "prod", "--config", 'regions=["us-east-1"]')
    assert code == EXIT_VIOLATIONS
    assert (
        'mandatory  min-regions  stack: 1 region(s) with a backend (["us-east-1"]); active-active needs at least 3'
    ) in out  # prod states minRegions: 3
    assert out.splitlines()[-1] == "1 mandatory, 0 advisory violations in 1 resources"


def test_config_errors_exit_2_with_the_message():
    code, out, err = check("--stack", "prod", "--config", "backend=apigateway")
    assert (code, out) == (EXIT_CONFIG, "")
    assert 'globalaccelerator" cannot front the "apigateway" backend' in err and "Fix:" in err

    code, _, err = check("--stack", "staging")
    assert code == EXIT_CONFIG and "no stack file Pulumi.staging.yaml; stacks here: dev, prod" in err

    code, _, err = check("--stack", "prod", "--config", "regions")
    assert code == EXIT_CONFIG and "--config takes key=value" in err


def test_the_check_uses_the_pack_config_make_preview_passes_the_real_pack():
    """One document for both: the facts come from the stack config with its overrides, never from a file."""
    from offline import pack_config

    overrides = ['regions=["us-east-1", "eu-west-1"]', "minRegions=2"]  # prod's own floor is 3
    code, out, _ = check("--stack", "prod", "--json", *[arg for o in overrides for arg in ("--config", o)])
    document = json.loads(out)
    assert document["pack_config"] == pack_config.for_stack("prod", overrides)
    assert document["pack_config"]["backend-in-every-region"] == {"expectedRegions": ["us-east-1", "eu-west-1"]}
    assert code == EXIT_OK and document["notes"] == []


def test_a_fact_the_pack_schema_refuses_exits_2(monkeypatch):
    """The CLI refuses a pack config that breaks a policy's schema; so does the check, before running."""
    from offline import stack_facts

    real = stack_facts.facts
    monkeypatch.setattr(stack_facts, "facts", lambda settings: {**real(settings), "expectedFrontDoors": ["cdn"]})
    code, out, err = check("--stack", "prod")
    assert (code, out) == (EXIT_CONFIG, "")
    assert 'pack config "front-door-matches-config": expectedFrontDoors = ["cdn"] does not match its schema' in err


def run_cli(*argv, python_flags=()):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "offline.check", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "argv, code, text",
    [
        (["--stack", "prod"], 0, "0 mandatory, 0 advisory violations"),
        (["--stack", "prod", "--config", 'regions=["us-east-1"]'], 1, "min-regions"),
        (["--stack", "prod", "--config", 'regions=["us-east-1", "mars-1"]'], 2, '"mars-1" is not an AWS region code'),
        (["--stack", "nope"], 2, "no stack file Pulumi.nope.yaml"),
    ],
)
def test_cli_exit_codes(argv, code, text):
    result = run_cli(*argv)
    assert result.returncode == code, result.stdout + result.stderr
    assert text in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_closes_every_event_loop_before_the_interpreter_goes():
    # Unclosed loops are torn down by the garbage collector at exit, where their sockets may already be
    # closed: CI once saw "Exception ignored in BaseEventLoop.__del__ ... Bad file descriptor" after a
    # passing check. With ResourceWarnings shown, every loop left open is named.
    result = run_cli("--stack", "dev", python_flags=("-W", "always::ResourceWarning"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unclosed event loop" not in result.stderr and "Exception ignored" not in result.stderr
