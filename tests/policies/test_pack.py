"""The pack's shape: catalog, entry point, and per-stack pack config kept in sync with the stack config."""

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from offline import stack_facts
from offline.check import pack_config_path
from offline.policy_engine import PackConfigError, load_pack_config_file, resolve_pack_config
from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_catalog_has_named_kebab_case_policies_of_both_kinds():
    names = [p.name for p in ALL_POLICIES]
    assert len(names) >= 18 and len(set(names)) == len(names)
    assert all(KEBAB.match(n) for n in names)
    assert any(isinstance(p, ResourceValidationPolicy) for p in ALL_POLICIES)
    assert any(isinstance(p, StackValidationPolicy) for p in ALL_POLICIES)
    assert all(p.description.endswith(".") for p in ALL_POLICIES)


def test_schema_defaults_satisfy_their_own_schema():
    for policy in ALL_POLICIES:
        schema = policy.config_schema.properties if policy.config_schema else {}
        defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
        resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {policy.name: defaults})


def test_main_only_builds_the_pack():
    tree = ast.parse((ROOT / "policies" / "__main__.py").read_text())
    calls = [node for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    assert [c.value.func.id for c in calls if isinstance(c.value.func, ast.Name)] == ["PolicyPack"]
    keywords = {k.arg for k in calls[-1].value.keywords}
    assert keywords == {"name", "policies", "enforcement_level"}


def test_policy_pack_yaml_is_a_python_pack():
    spec = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert spec["runtime"]["name"] == "python"
    assert (ROOT / "policies" / spec["runtime"]["options"]["virtualenv"]).resolve() == (ROOT / ".venv").resolve()


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_stack_has_a_valid_pack_config(stack):
    path = pack_config_path(stack)
    assert path.exists(), f"add policies/config.{stack}.json"
    resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, load_pack_config_file(path))


@pytest.mark.parametrize("stack", STACKS)
def test_pack_config_facts_agree_with_the_stack_config(stack):
    """expectedRegions / homeRegion / expectedFrontDoors: set wherever a policy declares them, equal to
    what Pulumi.<stack>.yaml says (the real pack cannot read the stack config itself)."""
    derived = stack_facts.facts(stack_facts.stack_settings(stack))
    config = load_pack_config_file(pack_config_path(stack))
    for policy in ALL_POLICIES:
        declared = set(policy.config_schema.properties) if policy.config_schema else set()
        for key in declared & set(derived):
            entry = config.get(policy.name)
            assert isinstance(entry, dict) and key in entry, f"{policy.name}.{key} missing in config.{stack}.json"
            assert entry[key] == derived[key], f"{policy.name}.{key} in config.{stack}.json"


@pytest.mark.parametrize("stack", STACKS)
def test_deletion_protection_is_mandatory_exactly_where_the_stack_turns_it_on(stack):
    settings = stack_facts.stack_settings(stack)
    config = resolve_pack_config(
        ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, load_pack_config_file(pack_config_path(stack))
    )
    level = config.levels["table-deletion-protection"]
    assert (level == EnforcementLevel.MANDATORY) == settings.deletion_protection


@pytest.mark.parametrize("stack", STACKS)
def test_plaintext_is_advisory_exactly_where_the_stack_allows_it(stack):
    settings = stack_facts.stack_settings(stack)
    config = resolve_pack_config(
        ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, load_pack_config_file(pack_config_path(stack))
    )
    advisory = config.levels["no-plaintext-hop"] == EnforcementLevel.ADVISORY
    assert advisory == settings.allow_plaintext == ("no-plaintext-hop" in stack_facts.levels(settings))


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"min-region": {"minRegions": 2}}, "unknown policies: min-region"),
        ({"min-regions": "sometimes"}, "enforcement level 'sometimes' is not one of"),
        ({"min-regions": {"minRegions": 0}}, "minRegions = 0 does not match its schema"),
        ({"front-door-matches-config": {"expectedFrontDoors": ["cdn"]}}, "expectedFrontDoors"),
    ],
)
def test_bad_pack_config_is_refused(bad, message):
    with pytest.raises(PackConfigError, match=re.escape(message)):
        resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, bad)


def test_pack_config_numbers_reach_policies_as_floats_like_protobuf():
    config = resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, {"min-regions": {"minRegions": 3}})
    assert config.properties["min-regions"] == {"minRegions": 3.0}
    assert json.dumps(config.properties["min-regions"]) == '{"minRegions": 3.0}'
