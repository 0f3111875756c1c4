"""The real pack, started the way the Pulumi CLI starts it, answers exactly like the offline checker.

This pins the offline engine (offline/engine/policy_engine.py, behind `python -m offline.check`) to pulumi_policy's
own analyzer: same resources in, same violations out, for every mutation case, in preview and for the
whole program.
"""

import pytest
from pulumi.runtime import proto
from pulumi_policy import ResourceValidationPolicy

from offline import pack_config
from offline.engine.policy_engine import evaluate, resolve_pack_config
from offline.engine.run import run_program
from offline.stack_facts import stack_settings
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, PACK_NAME
from tests.policies.analyzer import RunningPack
from tests.policies.fixtures import compliant, unknown_in_preview
from tests.policies.test_policies import CASES, COMBINATIONS


@pytest.fixture(scope="module")
def pack():
    running = RunningPack()
    yield running
    running.close()


def _offline(violations):
    return sorted((v.policy, v.level.value, v.urn or "", v.message) for v in violations)


def _compare(pack, resources, config, home_region):
    pack.configure(config)
    expected = _offline(evaluate(ALL_POLICIES, resources, config, home_region=home_region))
    assert sorted(pack.analyze(resources, home_region)) == expected
    return expected


def test_the_pack_describes_every_policy(pack):
    info = pack.info()
    assert info.name == PACK_NAME
    assert [p.name for p in info.policies] == [p.name for p in ALL_POLICIES]
    for described, policy in zip(info.policies, ALL_POLICIES, strict=False):
        assert described.enforcementLevel == proto.MANDATORY
        kind = proto.POLICY_TYPE_RESOURCE if isinstance(policy, ResourceValidationPolicy) else proto.POLICY_TYPE_STACK
        assert described.policy_type == kind
        declared = set(policy.config_schema.properties) if policy.config_schema else set()
        assert set(described.configSchema.properties) == declared


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy}:{c.expected[:40]}")
def test_each_mutation_reports_the_same_in_the_real_pack(pack, case):
    fixture = compliant(case.front_door, case.backend, regions=case.regions)
    case.mutate(fixture)
    config = resolve_pack_config(
        ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, None, {**fixture.facts(), **(case.facts or {})}
    )
    assert any(row[0] == case.policy for row in _compare(pack, fixture.resources, config, fixture.home_region))


@pytest.mark.parametrize("front_door, backend", COMBINATIONS, ids=[f"{f}-{b}" for f, b in COMBINATIONS])
def test_compliant_stacks_in_preview_pass_the_real_pack(pack, front_door, backend):
    fixture = unknown_in_preview(compliant(front_door, backend))
    config = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, None, fixture.facts())
    assert _compare(pack, fixture.resources, config, fixture.home_region) == []


@pytest.mark.parametrize(
    "stack, overrides, policies",
    [
        ("prod", [], set()),
        ("dev", [], {"table-deletion-protection"}),
        ("prod", ['regions=["us-east-1"]'], {"min-regions"}),
    ],
)
def test_the_program_gets_the_same_verdict_from_the_real_pack(pack, stack, overrides, policies):
    settings = stack_settings(stack, overrides)
    config = pack_config.resolved(settings)  # what `make preview` passes the real pack
    run = run_program(stack, overrides=overrides)
    rows = _compare(pack, run.resources, config, settings.home_region)
    assert {row[0] for row in rows} == policies
