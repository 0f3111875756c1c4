"""Per-door metrics: the function tells which front door each request came through."""

from __future__ import annotations

import json

import pytest

from functions.api import contract, runtime
from functions.edge import contract as edge_contract
from tests.support.api_client import Api
from tests.support.api_events import SHAPES

REGIONAL = "eu-west-1.api.example.com"


@pytest.fixture
def doors(aws, monkeypatch):
    # What the program sets for these three doors (components/regional/function_settings.py door_environment).
    monkeypatch.setenv(contract.ENV_DOORS, "route53,globalaccelerator,cloudfront")
    monkeypatch.setenv(contract.ENV_DOOR_HEADERS, f"{edge_contract.ROUTED_REGION_HEADER}=cloudfront")
    monkeypatch.setenv(contract.ENV_DOOR_PORTS, "8443=globalaccelerator")
    monkeypatch.setenv(contract.ENV_CLIENT_DOOR, "route53")
    monkeypatch.setenv(contract.ENV_DIRECT_HOSTS, f"us-east-1.api.example.com,{REGIONAL}")
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb, ssm_client=aws.ssm))


def door_lines(output: str) -> list[dict]:
    """The requests' EMF documents: each carries the door's dimension set beside the region's."""
    lines = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return [line for line in lines if contract.DIMENSION_FRONT_DOOR in line]


def test_the_edge_routers_header_is_the_one_its_door_names():
    from components.registry import DOORS

    marking = {s: DOORS[s].marks_requests_with for s in DOORS if DOORS[s].marks_requests_with}
    assert list(marking.values()) == [edge_contract.ROUTED_REGION_HEADER]
    assert all(DOORS[s].needs_edge_region for s in marking)  # the door that runs the router


@pytest.mark.parametrize(
    ("variable", "value"),
    [(contract.ENV_DOOR_PORTS, "http=globalaccelerator"), (contract.ENV_DOOR_HEADERS, "x-routed")],
)
def test_a_malformed_door_rule_names_its_variable(variable, value):
    from functions.api.settings import SettingsError, _doors

    with pytest.raises(SettingsError, match=variable):
        _doors({variable: value})


@pytest.mark.parametrize("shape", ["alb", "alb-multi"])  # the HTTP API has no GA port (GA fronts ALBs only)
@pytest.mark.parametrize(
    ("headers", "door"),
    [
        ({edge_contract.ROUTED_REGION_HEADER: "eu-west-1"}, "cloudfront"),
        ({"x-forwarded-port": "8443"}, "globalaccelerator"),
        ({"x-forwarded-port": "443", "host": REGIONAL}, "direct"),
        ({"x-forwarded-port": "443", "host": "api.example.com"}, "route53"),
    ],
)
def test_each_request_is_counted_under_its_door(doors, capfd, shape, headers, door):
    Api(shape).get("/health", headers=headers)
    (line,) = door_lines(capfd.readouterr().out)
    assert (line["frontDoor"], line["region"], line["Requests"], line["Status2xx"]) == (door, "eu-west-1", [1.0], [1.0])
    assert "Status5xx" not in line
    dimensions = line["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert set(contract.DOOR_DIMENSIONS) in [set(names) for names in dimensions] and line["Latency"][0] >= 0


@pytest.mark.parametrize("shape", SHAPES)
def test_a_5xx_is_counted_for_its_door(doors, aws, capfd, shape):
    aws.set_chaos({"mode": "down"})
    Api(shape).get("/health", headers={edge_contract.ROUTED_REGION_HEADER: "eu-west-1"})
    (line,) = door_lines(capfd.readouterr().out)
    assert line["frontDoor"] == "cloudfront" and line["Status5xx"] == [1.0]


def test_without_a_route53_door_anything_unmarked_is_direct(installed_runtime, capfd):
    Api("http").get("/health")
    (line,) = door_lines(capfd.readouterr().out)
    assert line["frontDoor"] == "direct"
