"""The game-day tool writes the chaos parameter of exactly the region asked, with a value the function accepts."""

import json

import boto3
import pytest
from moto import mock_aws

from functions.api import contract
from ops import gameday

PARAMETER = "/global-serverless/dev/chaos"


@pytest.fixture
def ssm(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        for region in ("us-east-1", "eu-west-1"):
            boto3.client("ssm", region_name=region).put_parameter(
                Name=PARAMETER, Value=contract.CHAOS_NONE, Type="String"
            )
        yield lambda region: boto3.client("ssm", region_name=region)


def value(ssm, region):
    return json.loads(ssm(region).get_parameter(Name=PARAMETER)["Parameter"]["Value"])


def test_down_breaks_only_the_named_region(ssm):
    assert gameday.main(["--stack", "dev", "--region", "eu-west-1", "down"], ssm) == 0
    assert value(ssm, "eu-west-1") == {"mode": "down"}
    assert value(ssm, "us-east-1") == {"mode": "none"}
    assert gameday.main(["--stack", "dev", "--region", "eu-west-1", "none"], ssm) == 0
    assert value(ssm, "eu-west-1") == {"mode": "none"}


def test_latency_and_error_values(ssm):
    gameday.main(["--stack", "dev", "--region", "us-east-1", "latency", "--ms", "300"], ssm)
    assert value(ssm, "us-east-1") == {"mode": "latency", "latencyMs": 300}
    gameday.main(["--stack", "dev", "--region", "us-east-1", "error", "--rate", "0.25", "--status", "503"], ssm)
    assert value(ssm, "us-east-1") == {"mode": "error", "errorRate": 0.25, "status": 503}


def test_refuses_a_value_the_function_would_ignore(ssm, capsys):
    assert gameday.main(["--stack", "dev", "--region", "us-east-1", "error", "--status", "404"], ssm) == 2
    assert "refusing to write" in capsys.readouterr().err
    assert value(ssm, "us-east-1") == {"mode": "none"}


def test_refuses_a_region_outside_the_stack(ssm, capsys):
    assert gameday.main(["--stack", "dev", "--region", "ap-southeast-1", "down"], ssm) == 2
    assert "not one of stack dev's regions: us-east-1, eu-west-1" in capsys.readouterr().err


def test_status_lists_every_region(ssm, capsys):
    gameday.main(["--stack", "dev", "--region", "eu-west-1", "down"], ssm)
    capsys.readouterr()
    assert gameday.main(["--stack", "dev", "status"], ssm) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("us-east-1") and '"none"' in lines[0]
    assert lines[1].startswith("eu-west-1") and '"down"' in lines[1]


def test_unknown_stack_is_a_clear_error(capsys):
    assert gameday.main(["--stack", "staging", "status"], lambda r: None) == 2
    assert "no stack file Pulumi.staging.yaml" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("stack", "lanes"),
    [
        ("dev", ["route53", "entry"]),  # HTTP APIs behind route53: the entry answers anyone
        ("prod", ["globalaccelerator"]),  # internal ALBs: probing them from outside would measure nothing
    ],
)
def test_the_entry_lane_is_run_only_where_a_client_outside_aws_can_reach_the_entry(stack, lanes):
    import argparse

    from offline.stack_facts import stack_settings

    settings = stack_settings(stack, [])
    args = argparse.Namespace(url=[], door=None, stack=stack, region="us-east-1")
    assert list(gameday._targets(args, settings)) == lanes
    args.url = ["entry=https://10.0.1.5/health"]  # e.g. from inside the VPC
    assert "entry" in gameday._targets(args, settings)
