"""`python -m offline.plan`: resources per region, what protects the entries, and one clear line on bad config."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def plan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "offline.plan", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_plan_says_what_protects_the_entries():
    done = plan("--stack", "prod", "--config", "frontDoor=cloudfront")
    assert done.returncode == 0, done.stderr
    security = done.stdout.split("security:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.strip() for line in security] == [
        "regional entries answer 403 to any request without CloudFront's origin secret",
        "auth: none: anyone who reaches the API can PUT and DELETE any item (set auth: {issuer, audience})",
        "WAF: none (set waf: {rateLimit: N} for web ACLs)",
    ]


def test_an_accepted_plaintext_hop_is_shown_as_advisory():
    done = plan(
        "--stack", "dev", "--config", "domain=null", "--config", "backend=alb",
        "--config", "frontDoor=globalaccelerator", "--config", "allowPlaintext=true",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "advisory: without a domain the alb backend has no certificate" in done.stdout
    assert "regional entries are internal load balancers: only Global Accelerator reaches them" in done.stdout


def test_a_refused_plaintext_stack_exits_2_naming_the_key():
    done = plan(
        "--stack", "dev", "--config", "domain=null", "--config", "backend=alb", "--config", "frontDoor=cloudfront"
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith('offline.plan: Invalid stack config global-serverless:backend = "alb"')
    assert "allowPlaintext" in done.stderr and len(done.stderr.splitlines()) == 1


def test_the_plan_says_how_each_region_is_released():
    """Issue 21: who moves each region's live alias, SnapStart and provisioned concurrency, where configured."""
    done = plan(
        "--stack", "dev", "--config", 'release={"strategy": "linear"}', "--config", "provisionedConcurrency={\"eu-west-1\": 3}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    release = done.stdout.split("release:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.strip() for line in release] == [
        "eu-west-1: live alias moved by CodeDeploy CodeDeployDefault.LambdaLinear10PercentEvery1Minute "
        "(python -m ops.release); SnapStart off; provisioned concurrency 3",
        "us-east-1: live alias moved by CodeDeploy CodeDeployDefault.LambdaLinear10PercentEvery1Minute "
        "(python -m ops.release); SnapStart off; provisioned concurrency none",
    ]
    snap = plan("--stack", "dev", "--config", "snapStart=true", "--config", 'release={"strategy": "canary"}')
    assert (
        "us-east-1: live alias moved by CodeDeploy CodeDeployDefault.LambdaCanary10Percent5Minutes "
        "(python -m ops.release); SnapStart on; provisioned concurrency none"
    ) in snap.stdout, snap.stderr
