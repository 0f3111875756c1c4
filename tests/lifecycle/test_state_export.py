"""`python -m offline.diff --state EXPORT.json`: the diff from what `pulumi stack export` says is deployed.

The exports here are made from program runs in the documented deployment format (pulumi/pulumi
sdk/go/common/apitype/core.go, DeploymentV3 and ResourceV3): the root stack, providers with ids of
their own and `<urn>::<id>` references, autonamed inputs listed in `__defaults`, secrets, archives.
"""

import copy
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from offline.diff import main, plan_from_state
from offline.engine.lifecycle import plan_transition
from offline.engine.run import ProgramRun, run_program
from offline.engine.state_export import ARCHIVE_SIG, ASSET_SIG, SECRET_SIG, SIG
from offline.stack_config import ROOT, stack_values

SECRET_CIPHERTEXT = "v1:c2VjcmV0LWNpcGhlcnRleHQtdGhhdC1tdXN0LW5ldmVyLWJlLXByaW50ZWQ="


def _value(value, secrets: str):
    """A program run's value as the state records it."""
    if isinstance(value, dict) and value.get(SIG) == SECRET_SIG:
        if secrets == "plaintext":
            return {SIG: SECRET_SIG, "plaintext": json.dumps(value["value"])}
        return {SIG: SECRET_SIG, "ciphertext": SECRET_CIPHERTEXT}
    if isinstance(value, dict):
        return {k: _value(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_value(v, secrets) for v in value]
    if hasattr(value, "assets"):  # an AssetArchive, as Pulumi records one: its members with their hashes
        return {
            SIG: ARCHIVE_SIG,
            "hash": hashlib.sha256(repr(sorted(value.assets)).encode()).hexdigest(),
            "assets": {name: _value(asset, secrets) for name, asset in value.assets.items()},
        }
    if isinstance(getattr(value, "path", None), str):
        content = Path(value.path).read_bytes()
        return {SIG: ASSET_SIG, "hash": hashlib.sha256(content).hexdigest(), "path": value.path}
    if isinstance(getattr(value, "text", None), str):
        return {SIG: ASSET_SIG, "hash": hashlib.sha256(value.text.encode()).hexdigest(), "text": value.text}
    return value


def export_of(run: ProgramRun, secrets: str = "ciphertext") -> dict:
    """`pulumi stack export` of a stack deployed as `run` registered it."""
    stack_urn = f"urn:pulumi:{run.stack}::global-serverless::pulumi:pulumi:Stack::global-serverless-{run.stack}"
    provider_ids = {
        r.urn: hashlib.md5(r.urn.encode()).hexdigest() for r in run.resources if r.type.startswith("pulumi:providers:")
    }

    def reference(ref):
        if not ref:
            return None
        urn = ref.rsplit("::", 1)[0]
        return f"{urn}::{provider_ids[urn]}"

    resources = [{"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {"url": "https://x"}}]
    for r in run.resources:
        inputs = _value(r.inputs, secrets)
        if r.type.startswith("pulumi:providers:"):
            inputs["version"] = "7.0.0"  # the engine records the plugin version
        elif r.custom and "name" not in inputs and isinstance(r.state.get("name"), str):
            inputs.update(name=r.state["name"], __defaults=["name"])  # an autoname the provider chose
        item = {
            "urn": r.urn,
            "custom": r.custom,
            "type": r.type,
            "inputs": inputs,
            "outputs": _value(r.state, secrets),
            "parent": r.parent or stack_urn,
            "dependencies": r.dependencies,
            "propertyDependencies": r.property_dependencies,
            "created": "2026-01-01T00:00:00.000Z",
        }
        if r.custom:
            item["id"] = provider_ids.get(r.urn) or r.id
        if reference(r.provider):
            item["provider"] = reference(r.provider)
        for key, value in (
            ("protect", r.protect),
            ("retainOnDelete", r.retain_on_delete),
            ("ignoreChanges", r.ignore_changes),
        ):
            if value:
                item[key] = value
        resources.append(item)
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-01-01T00:00:00Z", "magic": "0" * 64, "version": "v3.200.0"},
            "secrets_providers": {"type": "service", "state": {"url": "https://api.pulumi.com"}},
            "resources": resources,
        },
    }


@pytest.fixture(scope="module")
def dev_export() -> dict:
    return export_of(run_program("dev"))


@pytest.fixture(scope="module")
def prod_export() -> dict:
    return export_of(run_program("prod"))


def write(tmp_path, export, name="export.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(export))
    return str(path)


def find(export: dict, suffix: str) -> dict:
    (item,) = [r for r in export["deployment"]["resources"] if r["urn"].endswith(suffix)]
    return item


def test_the_export_of_the_committed_config_has_no_changes(dev_export, tmp_path, capsys):
    assert main(["--stack", "dev", "--state", write(tmp_path, dev_export)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\(pulumi stack export, \d+ resources\)", out)
    assert "no changes" in out and "hazards: none" in out
    assert "secret input(s) are encrypted in the export and taken as unchanged" in out  # the chaos parameters
    assert SECRET_CIPHERTEXT not in out


def test_a_door_switch_from_the_export_takes_the_modelled_steps(dev_export, tmp_path):
    after = {**stack_values("dev"), "global-serverless:frontDoor": "cloudfront"}
    from_state, _ = plan_from_state("dev", after, write(tmp_path, dev_export))
    modelled, _, _ = plan_transition("dev", stack_values("dev"), after)

    def steps(plan):  # the program registers concurrently: compare without the order
        return sorted((s.op, s.urn, s.changed, s.forced_by) for s in plan.steps if s.op != "same")

    assert steps(from_state) == steps(modelled) and steps(modelled)
    assert from_state.problems == modelled.problems


def test_the_cli_prints_the_same_lines_for_a_door_switch(dev_export, tmp_path, capsys):
    assert main(["--stack", "dev", "--state", write(tmp_path, dev_export), "--config", "frontDoor=cloudfront"]) == 0
    from_state = capsys.readouterr().out.splitlines()
    assert main(["--stack", "dev", "--config", "frontDoor=cloudfront"]) == 0
    modelled = capsys.readouterr().out.splitlines()
    assert "  create   aws:cloudfront/distribution:Distribution::cloudfront" in from_state
    # The export's own notice (the chaos parameters' encrypted values) aside, line for line the same.
    kept = [line for line in from_state[1:] if "encrypted in the export" not in line]
    if "notices:" not in modelled:
        kept.remove("notices:")
        kept.remove("")  # the blank line before it
    assert sorted(kept) == sorted(modelled[1:])


def test_a_door_switch_on_prod_as_the_first_release_made_it_keeps_its_albs(prod_export, tmp_path, capsys):
    """The shipped prod stack was created by the first release with internet-facing ALBs behind Global
    Accelerator. Its export says so, and a switch to CloudFront (which needs them internet-facing) keeps
    them: the real base answers what no model of the config could."""
    export = copy.deepcopy(prod_export)
    for region in ("us-east-1", "eu-west-1", "ap-southeast-1"):
        find(export, f"$aws:lb/loadBalancer:LoadBalancer::{region}-alb")["inputs"]["internal"] = False
    assert main(["--stack", "prod", "--state", write(tmp_path, export), "--config", "frontDoor=cloudfront"]) == 0
    out = capsys.readouterr().out
    assert "create   aws:cloudfront/distribution:Distribution::cloudfront" in out
    assert "delete   aws:globalaccelerator/accelerator:Accelerator::globalaccelerator" in out
    assert "LoadBalancer::" not in out and "hazards: none" in out
    # From the modelled base (internal ALBs behind Global Accelerator alone) the same switch replaces them.
    assert main(["--stack", "prod", "--config", "frontDoor=cloudfront"]) == 1
    assert "replace  aws:lb/loadBalancer:LoadBalancer::eu-west-1-alb  (forced by internal)" in capsys.readouterr().out


def test_an_alb_made_otherwise_than_the_program_would_is_replaced_with_all_bound_to_it(prod_export, tmp_path, capsys):
    """The deployed ALB is internet-facing where the program makes it internal: pulumi up replaces it, and
    what names its ARN (listeners, GA endpoint group) sees a new one."""
    export = copy.deepcopy(prod_export)
    alb = find(export, "$aws:lb/loadBalancer:LoadBalancer::eu-west-1-alb")
    assert alb["inputs"]["internal"] is True
    alb["inputs"]["internal"] = False
    assert main(["--stack", "prod", "--state", write(tmp_path, export)]) == 1
    out = capsys.readouterr().out
    assert "replace  aws:lb/loadBalancer:LoadBalancer::eu-west-1-alb  (forced by internal)" in out
    assert "replace  aws:lb/listener:Listener::api-eu-west-1-alb-https  (forced by loadBalancerArn)" in out
    assert "update   aws:globalaccelerator/endpointGroup:EndpointGroup::globalaccelerator-eu-west-1" in out
    assert "us-east-1-alb" not in out.split("hazards:")[0].replace("eu-west-1-alb", "")
    assert "eu-west-1-alb has deletion protection on" in out


def test_a_resource_missing_from_the_export_is_created(dev_export, tmp_path, capsys):
    export = copy.deepcopy(dev_export)
    record = find(export, "$aws:route53/record:Record::api-eu-west-1-regional")
    export["deployment"]["resources"].remove(record)
    assert main(["--stack", "dev", "--state", write(tmp_path, export)]) == 0
    out = capsys.readouterr().out
    assert "eu-west-1: 1 to create" in out and "create   aws:route53/record:Record::api-eu-west-1-regional" in out


def test_a_pending_delete_from_a_failed_update_is_deleted_and_holds_its_name_until_then(dev_export, tmp_path, capsys):
    export = copy.deepcopy(dev_export)
    resources = export["deployment"]["resources"]
    domain = find(export, "$aws:apigatewayv2/domainName:DomainName::api-eu-west-1-apigateway-domain-main")
    resources.append({**copy.deepcopy(domain), "id": "old-domain", "delete": True})
    assert main(["--stack", "dev", "--state", write(tmp_path, export)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\(pulumi stack export, \d+ resources, 1 pending delete\)", out)
    assert "eu-west-1: 1 to delete" in out
    assert (
        "delete   aws:apigatewayv2/domainName:DomainName::api-eu-west-1-apigateway-domain-main (pending delete)" in out
    )
    assert "1 resource(s) left by a failed replacement are deleted at the end" in out


def test_secrets_compare_by_plaintext_and_are_never_printed(dev_export, tmp_path, capsys):
    """A secret the export shows (--show-secrets) is compared; an encrypted one is taken as unchanged."""
    export = copy.deepcopy(dev_export)
    same = find(export, "$aws:lambda/function:Function::api-us-east-1-fn")
    same["inputs"]["environment"] = {SIG: SECRET_SIG, "plaintext": json.dumps(same["inputs"]["environment"])}
    changed = find(export, "$aws:lambda/function:Function::api-eu-west-1-fn")
    changed["inputs"]["environment"]["variables"]["HEALTH_PATH"] = "/down-and-secret"
    changed["inputs"]["environment"] = {SIG: SECRET_SIG, "plaintext": json.dumps(changed["inputs"]["environment"])}
    unreadable = find(export, "$aws:lambda/function:Function::probes-us-east-1-fn")
    unreadable["inputs"]["environment"] = {SIG: SECRET_SIG, "ciphertext": SECRET_CIPHERTEXT}
    assert main(["--stack", "dev", "--state", write(tmp_path, export)]) == 0
    out = capsys.readouterr().out
    assert (
        "eu-west-1: 1 to update" in out
        and "update   aws:lambda/function:Function::api-eu-west-1-fn  (environment)" in out
    )
    assert "us-east-1:" not in out
    assert "down-and-secret" not in out and SECRET_CIPHERTEXT not in out
    assert "Function::probes-us-east-1-fn" in out.split("encrypted in the export")[1]


def test_an_archive_recorded_as_a_hash_only_counts_as_changed(dev_export, tmp_path, capsys):
    export = copy.deepcopy(dev_export)
    function = find(export, "$aws:lambda/function:Function::api-us-east-1-fn")
    function["inputs"]["code"] = {SIG: ARCHIVE_SIG, "hash": "0" * 64}
    assert main(["--stack", "dev", "--state", write(tmp_path, export)]) == 0
    out = capsys.readouterr().out
    assert "update   aws:lambda/function:Function::api-us-east-1-fn  (code)" in out
    assert "recorded as a hash only, so counted as changed" in out and "Function::api-us-east-1-fn" in out


def test_changed_function_code_shows_as_a_code_update(dev_export, tmp_path, capsys):
    export = copy.deepcopy(dev_export)
    function = find(export, "$aws:lambda/function:Function::api-eu-west-1-fn")
    (member,) = [m for name, m in function["inputs"]["code"]["assets"].items() if name.endswith("handler.py")]
    member["hash"] = "1" * 64
    assert main(["--stack", "dev", "--state", write(tmp_path, export)]) == 0
    assert "update   aws:lambda/function:Function::api-eu-west-1-fn  (code)" in capsys.readouterr().out


def _other(export, stack="dev", project="global-serverless"):
    changed = json.loads(
        json.dumps(export).replace("urn:pulumi:dev::global-serverless::", f"urn:pulumi:{stack}::{project}::")
    )
    return changed


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda e: "{not json", "is not JSON"),
        (lambda e: {**e, "version": 2}, "is not a Pulumi deployment"),
        (lambda e: [e], "is not a Pulumi deployment"),
        (lambda e: {"version": 3, "deployment": {"resources": {"a": 1}}}, "deployment.resources must be a list"),
        (lambda e: _other(e, stack="prod"), "is an export of stack 'prod'"),
        (lambda e: _other(e, project="other-app"), "of project 'other-app'"),
        (
            lambda e: {"version": 3, "deployment": {"manifest": {}, "resources": e["deployment"]["resources"][:1]}},
            "holds no resources",
        ),
        (lambda e: {"version": 3, "deployment": {"manifest": {}}}, "holds no resources"),
    ],
)
def test_a_bad_export_exits_2_with_one_line(make, message, dev_export, tmp_path, capsys):
    made = make(dev_export)
    path = tmp_path / "bad.json"
    path.write_text(made if isinstance(made, str) else json.dumps(made))
    assert main(["--stack", "dev", "--state", str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1 and not captured.out


def test_a_missing_export_exits_2_from_the_command_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "offline.diff", "--stack", "dev", "--state", str(tmp_path / "nope.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.strip().splitlines() == [
        f"offline.diff: --state {tmp_path / 'nope.json'}: no such file (make one with: pulumi stack export --file nope.json)"
    ]
