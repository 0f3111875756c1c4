"""The origin secret: planning (plain), the component under Pulumi mocks, and updates replayed in the engine's order.

The replay is the argument of components/security/origin_secret.py made executable: for every change of
originSecretVersion, at every moment of the update (creates and updates first, dependents after what they
depend on, deletes last), every region accepts whatever CloudFront may be sending at that moment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from components.registry import ORIGIN_SECRET_LENGTH, PROJECT
from components.security import origin_secret as plan
from components.security.origin_secret import OriginSecret, OriginSecretArgs
from functions.api import contract
from offline.engine.mocks import ACCOUNT, AwsMocks
from offline.engine.run import RecordingMonitor

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
STACK = "test"
PASSWORD = "random:index/randomPassword:RandomPassword"
PARAMETER = "aws:ssm/parameter:Parameter"


def previous_accepted_versions(version: int) -> tuple[int, ...]:
    """The previous release's rule (components/origin_protection.accepted_versions, now gone), kept here to
    show its defect: the current version and the one before, safe only for +1."""
    return (version, version - 1) if version > 1 else (version,)


# Planning.


def test_one_path_per_stack_and_one_name_per_version():
    assert plan.parameter_path("prod") == "/global-serverless/prod/origin-secret"
    assert plan.parameter_name("prod", 3) == "/global-serverless/prod/origin-secret/v3"
    assert plan.password_name("origin", 3) == "origin-v3"
    assert plan.parameter_logical_name("origin", 3, "eu-west-1") == "origin-v3-eu-west-1"
    assert plan.planned_parameters("prod", 2, REGIONS) == dict.fromkeys(
        REGIONS, "/global-serverless/prod/origin-secret/v2"
    )


@pytest.mark.parametrize("stack", ["my stack", "a/b", "", "ü"])
def test_a_stack_name_ssm_cannot_hold_is_refused(stack):
    with pytest.raises(ValueError, match="SSM parameter name"):
        plan.parameter_path(stack)


def test_versions_start_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        plan.parameter_name("prod", 0)


def test_the_read_statement_names_the_path_itself():
    """GetParametersByPath is authorized against the requested path: `parameter` then the path."""
    statement = plan.read_statement("/global-serverless/prod/origin-secret", "eu-west-1", "111122223333")
    assert statement.actions == ("ssm:GetParametersByPath",) == contract.FUNCTION_ORIGIN_SECRET_ACTIONS
    assert statement.resources == ("arn:aws:ssm:eu-west-1:111122223333:parameter/global-serverless/prod/origin-secret",)
    assert not any("kms" in action for action in statement.actions)  # aws/ssm: the key policy grants Decrypt


@pytest.mark.parametrize("path", ["global-serverless/x", "/global-serverless/x/"])
def test_a_path_arn_needs_a_leading_and_no_trailing_slash(path):
    with pytest.raises(ValueError):
        plan.path_arn(path, "eu-west-1", ACCOUNT)


# The component under mocks.


@dataclass
class Run:
    resources: list
    secret: OriginSecret

    def of_type(self, type_token: str) -> list:
        return [r for r in self.resources if r.type == type_token]

    def urns(self) -> set[str]:
        return {r.urn for r in self.resources}

    def value(self, output):
        return _sync_await(pulumi.Output.from_input(output).future())


def run_component(version: int, regions: tuple[str, ...] = REGIONS) -> Run:
    mocks = AwsMocks()
    monitor = RecordingMonitor(mocks)
    runtime_settings.ROOT.set(None)
    runtime_config.set_all_config({})
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=STACK, preview=False, monitor=monitor)
    made: dict[str, OriginSecret] = {}

    def program():
        providers = {region: aws.Provider(f"aws-{region}", region=region) for region in regions}
        made["secret"] = OriginSecret("origin", OriginSecretArgs(version, regions, STACK), providers)

    _sync_await(run_pulumi_func(program))
    _sync_await(wait_for_rpcs())
    return Run(list(monitor.captured), made["secret"])


def unwrap(value):
    """An input the program marked secret arrives wrapped (signature + value)."""
    return value["value"] if isinstance(value, dict) else value


@pytest.fixture(scope="module")
def v1() -> Run:
    return run_component(1)


@pytest.fixture(scope="module")
def v2() -> Run:
    return run_component(2)


def test_one_secure_string_per_region_for_the_current_version(v2):
    (password,) = v2.of_type(PASSWORD)
    parameters = {p.region: p for p in v2.of_type(PARAMETER)}
    assert set(parameters) == set(REGIONS)
    for parameter in parameters.values():
        assert parameter.inputs["name"] == "/global-serverless/test/origin-secret/v2"
        assert parameter.inputs["type"] == "SecureString" and "keyId" not in parameter.inputs  # aws/ssm
        assert unwrap(parameter.inputs["value"]) == password.state["result"]
        assert parameter.parent.endswith("::origin")
    accepted_by = v2.value(pulumi.Output.all(*[r.urn for r in v2.secret.accepted_by]))
    assert set(accepted_by) == {p.urn for p in parameters.values()}
    assert v2.value(v2.secret.current) == password.state["result"]


def test_the_password_keeps_its_urn_and_its_alphabet(v2):
    (password,) = v2.of_type(PASSWORD)
    assert password.urn.endswith("OriginSecret$random:index/randomPassword:RandomPassword::origin-v2")
    assert password.inputs["length"] == ORIGIN_SECRET_LENGTH == 40 and password.inputs["special"] is False


def test_a_version_change_registers_only_the_new_version(v1, v2):
    """Nothing of version 1 is registered by the version-2 program: the engine deletes it at the update's end."""
    assert [r.name for r in v2.of_type(PASSWORD)] == ["origin-v2"]
    assert sorted(r.name for r in v2.of_type(PARAMETER)) == sorted(f"origin-v2-{region}" for region in REGIONS)
    version_1 = {r.urn for r in v1.resources if r.custom and not r.type.startswith("pulumi:providers:")}
    assert version_1 and not version_1 & v2.urns()


def test_the_function_environment_names_the_path_and_the_open_hosts(v2):
    env = v2.secret.function_environment(["Route53.api.example.com", "api.example.com"])
    assert env == {
        contract.ENV_ORIGIN_SECRET_PATH: "/global-serverless/test/origin-secret",
        contract.ENV_ORIGIN_OPEN_HOSTS: "api.example.com,route53.api.example.com",
    }
    assert contract.ENV_ORIGIN_OPEN_HOSTS not in v2.secret.function_environment(None)
    legacy = v2.secret.function_environment(legacy_values=True)
    assert json.loads(v2.value(legacy[contract.ENV_ORIGIN_SECRETS])) == [v2.value(v2.secret.current)]


def test_the_role_statement_reads_the_path_in_its_region(v2):
    statement = v2.value(v2.secret.read_statement("eu-west-1"))
    assert statement == {
        "Sid": "OriginSecrets",
        "Effect": "Allow",
        "Action": ["ssm:GetParametersByPath"],
        "Resource": f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/global-serverless/test/origin-secret",
    }


def test_without_regions_only_the_password_is_registered():
    run = run_component(2, regions=())
    assert [r.type for r in run.resources if r.custom] == [PASSWORD]
    assert run.secret.accepted_by == () and run.secret.parameter_path == ""


# The update replayed: what CloudFront sends and what each region accepts, moment by moment.


@dataclass(frozen=True)
class Moment:
    step: str
    sent: frozenset[int]  # versions CloudFront may be sending
    accepted: dict[str, frozenset[int]]  # region -> versions the function accepts


def _versions_under_path(names: set[str]) -> frozenset[int]:
    prefix = plan.parameter_path(STACK) + "/v"
    return frozenset(int(name[len(prefix) :]) for name in names if name.startswith(prefix))


def replay_parameters(old: int, new: int) -> list[Moment]:
    """This design: the function lists the parameters that exist; the program registers only the current
    version's; the distribution depends on them; unregistered ones are deleted last."""
    before = {r: {n} for r, n in plan.planned_parameters(STACK, old, REGIONS).items()}
    after = {r: {n} for r, n in plan.planned_parameters(STACK, new, REGIONS).items()}
    assert plan.parameter_path(STACK)  # the function's environment: the same path for every version
    both = {r: before[r] | after[r] for r in REGIONS}

    def accepted(existing):
        return {r: _versions_under_path(existing[r]) for r in REGIONS}

    return [
        Moment("before", frozenset({old}), accepted(before)),
        Moment("new parameters created", frozenset({old}), accepted(both)),
        Moment("distribution deploying", frozenset({old, new}), accepted(both)),
        Moment("distribution deployed", frozenset({new}), accepted(both)),
        Moment("old parameters deleted (last)", frozenset({new}), accepted(after)),
    ]


def replay_previous_release(old: int, new: int) -> list[Moment]:
    """The previous release: the function's environment held accepted_versions(v); the distribution
    depended on the function, so the function changed first."""

    def accepted(version):
        return dict.fromkeys(REGIONS, frozenset(previous_accepted_versions(version)))

    return [
        Moment("before", frozenset({old}), accepted(old)),
        Moment("function updated", frozenset({old}), accepted(new)),
        Moment("distribution deploying", frozenset({old, new}), accepted(new)),
        Moment("distribution deployed", frozenset({new}), accepted(new)),
    ]


def refused(moments: list[Moment]) -> list[str]:
    """Every (moment, region, version) where CloudFront may send a value the region does not accept."""
    return [
        f"{m.step}: {region} refuses v{version}"
        for m in moments
        for region in REGIONS
        for version in sorted(m.sent - m.accepted[region])
    ]


CHANGES = [(1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (5, 2)]


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_every_version_change_keeps_what_cloudfront_sends_accepted(old, new):
    assert refused(replay_parameters(old, new)) == []


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_the_update_ends_accepting_only_the_current_version(old, new):
    assert replay_parameters(old, new)[-1].accepted == dict.fromkeys(REGIONS, frozenset({new}))


@pytest.mark.parametrize(("old", "new"), [(2, 1), (1, 3), (3, 1), (5, 2)])
def test_issue_18_item_4_the_previous_release_refused_cloudfront_on_a_rollback_or_a_jump(old, new):
    """The defect, reproduced on the previous release's rule: the same invariant as above fails there
    (`assert refused(replay_previous_release(2, 1)) == []` fails with "function updated: us-east-1 refuses v2")."""
    assert 2 not in previous_accepted_versions(1)  # after 2 -> 1 the function drops what CloudFront still sends
    gaps = refused(replay_previous_release(old, new))
    assert f"function updated: {REGIONS[0]} refuses v{old}" in gaps


def test_the_previous_release_was_safe_for_plus_one_only():
    assert refused(replay_previous_release(1, 2)) == [] and refused(replay_previous_release(6, 7)) == []
