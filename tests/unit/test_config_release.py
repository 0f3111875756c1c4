"""Issue 21's config: release (strategy, waves, bakeMinutes, intervalMinutes), snapStart, provisionedConcurrency.

Each good value becomes a typed setting (settings.release, settings.release_policy, settings.snap_start,
settings.provisioned_concurrency_for); each bad value is a ConfigError naming the key, the value, what is
allowed and the fix."""

import json

import pytest

from components.config import ConfigError, parse_settings
from components.regional import release_plan
from components.stack import regions as region_catalogue
from tests.unit.test_config_contract import RAW_WORDING

NS = "global-serverless"
THREE = ["us-east-1", "eu-west-1", "ap-southeast-1"]


def settings(**raw):
    return parse_settings({"regions": json.dumps(THREE), **raw}, "us-east-1")


def error(**raw) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings(**raw)
    text = str(caught.value)
    assert text.startswith(f"Invalid stack config {caught.value.key} = ") and "\n  Allowed: " in text
    assert "\n  Fix: " in text and not [w for w in RAW_WORDING if w in text], text
    return caught.value


# -- release -------------------------------------------------------------------------------------


def test_all_at_once_is_the_default_and_pulumi_up_moves_every_alias():
    s = settings()
    assert s.release.strategy == "all-at-once" and s.release.deployment_config is None
    policy = s.release_policy
    assert policy == release_plan.ReleasePolicy(strategy="all-at-once", waves=(tuple(THREE),))
    assert not policy.moves_aliases


def test_canary_defaults_first_region_alone_then_the_rest_baked_ten_minutes():
    policy = settings(release='{"strategy": "canary"}').release_policy
    assert policy.waves == (("us-east-1",), ("eu-west-1", "ap-southeast-1"))
    assert policy.bake_minutes == 10 and policy.moves_aliases
    assert policy.deployment_config == "CodeDeployDefault.LambdaCanary10Percent5Minutes"


def test_linear_defaults_to_every_minute():
    assert (
        settings(release={"strategy": "linear"}).release_policy.deployment_config
        == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    )


@pytest.mark.parametrize(
    "strategy, minutes, name",
    [
        ("canary", 5, "LambdaCanary10Percent5Minutes"),
        ("canary", 10, "LambdaCanary10Percent10Minutes"),
        ("canary", 15, "LambdaCanary10Percent15Minutes"),
        ("canary", 30, "LambdaCanary10Percent30Minutes"),
        ("linear", 1, "LambdaLinear10PercentEvery1Minute"),
        ("linear", 2, "LambdaLinear10PercentEvery2Minutes"),
        ("linear", 3, "LambdaLinear10PercentEvery3Minutes"),
        ("linear", 10, "LambdaLinear10PercentEvery10Minutes"),
    ],
)
def test_each_interval_is_codedeploys_predefined_config(strategy, minutes, name):
    s = settings(release=json.dumps({"strategy": strategy, "intervalMinutes": minutes}))
    assert s.release_policy.deployment_config == f"CodeDeployDefault.{name}"


def test_waves_and_bake_as_set():
    s = settings(
        release=json.dumps(
            {"strategy": "linear", "waves": [["eu-west-1"], ["us-east-1", "ap-southeast-1"]], "bakeMinutes": 0}
        )
    )
    assert s.release_policy.waves == (("eu-west-1",), ("us-east-1", "ap-southeast-1"))
    assert s.release_policy.bake_minutes == 0


@pytest.mark.parametrize(
    "release, fragments",
    [
        ({"strategy": "blue-green"}, ['strategy "blue-green" is not a release strategy', "all-at-once | canary"]),
        ({"strategy": "canary", "intervalMinutes": 7}, ["no predefined CodeDeploy canary config", "to 5"]),
        ({"strategy": "linear", "intervalMinutes": 5}, ["no predefined CodeDeploy linear config", "1, 2, 3, 10"]),
        ({"strategy": "linear", "intervalMinutes": "x"}, ['intervalMinutes "x" is not a whole number']),
        ({"strategy": "canary", "bakeMinutes": -1}, ["bakeMinutes -1 is out of range (the lowest allowed is 0)"]),
        ({"strategy": "canary", "bakeMinutes": 1441}, ["bakeMinutes 1441 is out of range", "1440"]),
        ({"strategy": "canary", "bakeMinutes": 1.5}, ["bakeMinutes 1.5 is not a whole number"]),
        ({"strategy": "canary", "waves": [["us-east-1"]]}, ["leave out eu-west-1, ap-southeast-1"]),
        ({"strategy": "canary", "waves": [["us-east-1"], ["us-east-1", "eu-west-1", "ap-southeast-1"]]}, ["twice"]),
        ({"strategy": "canary", "waves": [THREE, ["sa-east-1"]]}, ['"sa-east-1" in release.waves is not one of']),
        ({"strategy": "canary", "waves": [THREE, ["mars-1"]]}, ['wave region "mars-1" is not an AWS region code']),
        ({"strategy": "canary", "waves": [THREE, []]}, ["waves[1] [] is empty"]),
        ({"strategy": "canary", "waves": []}, ["waves [] is empty"]),
        ({"strategy": "canary", "waves": "us-east-1"}, ['waves "us-east-1" is not a list']),
        ({"waves": [THREE]}, ["waves apply to canary and linear releases", "strategy: canary"]),
        ({"bakeMinutes": 5, "intervalMinutes": 1}, ["bakeMinutes, intervalMinutes apply to canary and linear"]),
        ({"strategy": "canary", "bake": 5}, ["unknown field(s) bake", "remove bake from release"]),
    ],
)
def test_each_bad_release_is_a_named_error(release, fragments):
    caught = error(release=json.dumps(release))
    assert caught.key == f"{NS}:release" and caught.value == release
    for fragment in fragments:
        assert fragment in str(caught), str(caught)


@pytest.mark.parametrize("value", ["canary", "{strategy: canary", "[]", 5])
def test_release_must_be_a_map(value):
    caught = error(release=value)
    assert caught.key == f"{NS}:release"


def test_an_empty_release_map_is_refused():
    caught = error(release="{}")
    assert "empty map" in caught.problem and f"pulumi config rm {NS}:release" in caught.fix


# -- snapStart -----------------------------------------------------------------------------------


def test_snapstart_is_off_by_default_and_on_as_the_cli_stores_it():
    assert settings().snap_start is False
    canary = '{"strategy": "canary"}'
    assert settings(snapStart="true", release=canary).snap_start is True
    assert settings(snapStart=True, release={"strategy": "linear"}).snap_start is True


@pytest.mark.parametrize("release", [None, '{"strategy": "all-at-once"}'])
def test_snapstart_needs_a_canary_or_linear_release(release):
    """pulumi up would move every alias onto a version whose snapshot may still be Pending; ops.release waits."""
    caught = error(snapStart="true", **({"release": release} if release else {}))
    assert caught.key == f"{NS}:snapStart" and caught.value == "true"
    assert "all-at-once" in caught.problem and "Pending" in caught.problem
    assert "canary or linear" in caught.allowed
    assert f"pulumi config set --path {NS}:release.strategy canary" in caught.fix
    assert f"pulumi config set {NS}:snapStart false" in caught.fix


@pytest.mark.parametrize("value", ["yes", 1, "on"])
def test_snapstart_is_true_or_false(value):
    caught = error(snapStart=value)
    assert caught.key == f"{NS}:snapStart" and "must be a boolean" in caught.problem


def test_the_snapstart_table_is_dated_sourced_and_within_the_catalogue():
    table = region_catalogue.snapstart_table()
    assert table["date"] == "2026-12-07" and "docs.aws.amazon.com/lambda/latest/dg/snapstart.html" in table["source"]
    assert set(table["regions"]) <= set(region_catalogue.catalogue())
    assert not set(table["excluded"]) & set(table["regions"])
    assert {"ap-southeast-6", "ap-east-2"} == set(table["excluded"])  # New Zealand, Taipei


def test_snapstart_in_a_region_outside_the_table_names_the_region(monkeypatch):
    table = dict(region_catalogue.snapstart_table())
    table["regions"] = {k: v for k, v in table["regions"].items() if k != "eu-west-1"}
    monkeypatch.setattr(region_catalogue, "snapstart_table", lambda: table)
    caught = error(snapStart="true")
    assert caught.key == f"{NS}:snapStart" and caught.value == "true"
    assert "eu-west-1" in caught.problem and "2026-12-07" in caught.problem
    assert f"pulumi config set {NS}:snapStart false" in caught.fix
    assert settings(snapStart="false").snap_start is False  # off: no table needed


def test_snapstart_and_provisioned_concurrency_do_not_mix():
    caught = error(snapStart="true", provisionedConcurrency="2")
    assert caught.key == f"{NS}:snapStart" and "does not support provisioned concurrency" in caught.problem


# -- provisionedConcurrency ----------------------------------------------------------------------


def test_provisioned_concurrency_is_off_by_default():
    assert all(settings().provisioned_concurrency_for(r) is None for r in THREE)


@pytest.mark.parametrize("value", [2, "2", "2 "])
def test_one_number_is_every_region(value):
    s = settings(provisionedConcurrency=value)
    assert [s.provisioned_concurrency_for(r) for r in THREE] == [2, 2, 2]


def test_a_map_sets_regions_and_star_the_rest():
    s = settings(provisionedConcurrency='{"us-east-1": 5}')
    assert [s.provisioned_concurrency_for(r) for r in THREE] == [5, None, None]
    s = settings(provisionedConcurrency={"us-east-1": 5, "*": 1})
    assert [s.provisioned_concurrency_for(r) for r in THREE] == [5, 1, 1]


@pytest.mark.parametrize(
    "value, fragment",
    [
        (0, "0 is not a whole number of at least 1"),
        ("-1", '"-1" is not a whole number of at least 1'),
        (1.5, "1.5 is not a whole number of at least 1"),
        ("x", '"x" is not a whole number of at least 1'),
        (True, "true is not a whole number of at least 1"),
        ('{"us-east-1": 0}', 'provisioned concurrency 0 for "us-east-1" is not a whole number of at least 1'),
        ('{"us-east-1": "2"}', 'provisioned concurrency "2" for "us-east-1"'),
        ('{"sa-east-1": 2}', '"sa-east-1" is not one of the stack\'s regions'),
        ('{"us-east-9": 2}', 'provisionedConcurrency key "us-east-9" is not an AWS region code'),
        ("{}", "empty map"),
        ("{oops", "not valid JSON"),
    ],
)
def test_each_bad_provisioned_concurrency_names_key_and_value(value, fragment):
    caught = error(provisionedConcurrency=value)
    assert caught.key == f"{NS}:provisionedConcurrency"
    assert json.dumps(value) in str(caught) or json.dumps(json.loads(value)) in str(caught)
    assert fragment in str(caught), str(caught)
