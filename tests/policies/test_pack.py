"""The pack's shape: catalog, entry point, and each stack's pack config, generated from its stack config."""

import ast
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from offline import pack_config, stack_facts
from offline.engine.policy_engine import PackConfigError, resolve_pack_config
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
    # Loading its own folder as the package `policies` (whatever the folder is called), then the pack.
    assert [c.value.func.id for c in calls if isinstance(c.value.func, ast.Name)] == [
        "_load_pack_package",
        "PolicyPack",
    ]
    keywords = {k.arg for k in calls[-1].value.keywords}
    assert keywords == {"name", "policies", "enforcement_level"}


def test_no_stack_facts_are_kept_by_hand_in_the_pack():
    """The facts are generated from Pulumi.<stack>.yaml (offline/pack_config.py): a file cannot go stale."""
    kept = [p.name for p in (ROOT / "policies").glob("*.json")]
    assert kept == [], f"per-stack pack config in policies/: {kept}; make preview/up generate it"


@pytest.mark.parametrize("stack", STACKS)
def test_the_generated_pack_config_sets_every_fact_wherever_a_policy_declares_it(stack):
    """expectedRegions / homeRegion / expectedFrontDoors / ...: what Pulumi.<stack>.yaml says, on every policy
    whose schema declares the property (the real pack cannot read the stack config itself)."""
    derived = stack_facts.facts(stack_facts.stack_settings(stack))
    document = pack_config.for_stack(stack)
    resolve_pack_config(ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, document)  # the schemas take it
    declared_anywhere = set()
    for policy in ALL_POLICIES:
        declared = set(policy.config_schema.properties) if policy.config_schema else set()
        declared_anywhere |= declared & set(derived)
        for key in declared & set(derived):
            entry = document.get(policy.name)
            assert isinstance(entry, dict) and entry[key] == derived[key], f"{policy.name}.{key} for {stack}"
    assert declared_anywhere == set(derived), "a fact no policy declares reaches no policy"
    regions = stack_facts.stack_settings(stack).regions
    assert document["backend-in-every-region"]["expectedRegions"] == list(regions)


@pytest.mark.parametrize("stack", STACKS)
def test_deletion_protection_is_mandatory_exactly_where_the_stack_turns_it_on(stack):
    settings = stack_facts.stack_settings(stack)
    level = pack_config.resolved(settings).levels["table-deletion-protection"]
    assert (level == EnforcementLevel.MANDATORY) == settings.deletion_protection


@pytest.mark.parametrize("overrides", [[], ["allowPlaintext=true", "domain=null", "frontDoor=cloudfront"]])
def test_plaintext_is_advisory_exactly_where_the_stack_allows_it(overrides):
    settings = stack_facts.stack_settings("prod", overrides)
    advisory = pack_config.resolved(settings).levels["no-plaintext-hop"] == EnforcementLevel.ADVISORY
    assert advisory == settings.allow_plaintext == bool(overrides)


def test_a_region_added_to_the_stack_file_reaches_the_pack_config(tmp_path):
    """Issue 22: a region added with its pack facts left behind passed offline and blocked the real deploy.
    Generated, the facts follow the stack file (here: a --config override, as `pulumi config set` would)."""
    regions = ["us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1"]
    out = tmp_path / "prod.json"
    assert (
        pack_config.main(
            ["--stack", "prod", "--config", f"regions={json.dumps(regions)}", "--out", str(out)], out=io.StringIO()
        )
        == 0
    )
    document = json.loads(out.read_text())
    for name in ("backend-in-every-region", "ga-endpoint-group-per-region", "table-replica-regions"):
        assert document[name]["expectedRegions"] == regions


def test_the_pack_config_cli_writes_the_build_path_and_exits_2_on_a_bad_stack(tmp_path):
    text = io.StringIO()
    assert pack_config.main(["--stack", "dev", "--json"], out=text) == 0
    assert json.loads(text.getvalue()) == pack_config.for_stack("dev")
    err = io.StringIO()
    assert pack_config.main(["--stack", "staging"], out=io.StringIO(), err=err) == 2
    assert err.getvalue().count("\n") == 1 and "no stack file Pulumi.staging.yaml" in err.getvalue()
    assert pack_config.default_path("dev") == ROOT / "build" / "pack-config" / "dev.json"
    ignored = subprocess.run(["git", "check-ignore", "-q", "build/pack-config/dev.json"], cwd=ROOT)
    assert ignored.returncode == 0, "the generated pack config is a build product, never committed"


@pytest.mark.parametrize("target", ["preview", "up"])
def test_make_preview_and_up_pass_the_generated_pack_config(target):
    dry = subprocess.run(
        ["make", "-n", target, "STACK=prod"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    generate = dry.index("-m offline.pack_config --stack prod --out build/pack-config/prod.json")
    run = dry.index(
        f"pulumi {target} --stack prod --policy-pack policies --policy-pack-config build/pack-config/prod.json"
    )
    assert generate < run and "-m offline.pack_build" in dry[:run]


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
