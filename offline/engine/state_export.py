"""A `pulumi stack export` file as the base of `offline.diff`: the stack as it really is, not as modelled.

`pulumi stack export` prints `{"version": 3, "deployment": {...}}` (Pulumi's UntypedDeployment; version 4
is the same DeploymentV3 plus a `features` list). The field names used here are Pulumi's own, from
pulumi/pulumi sdk/go/common/apitype/core.go (`DeploymentV3`: manifest, secrets_providers, resources,
pending_operations; `ResourceV3`: urn, custom, delete, id, type, inputs, outputs, parent, protect, taint,
dependencies, provider, propertyDependencies, pendingReplacement, aliases, retainOnDelete, ignoreChanges,
...; there is no deleteBeforeReplace in the state) and sdk/go/common/apitype/property-values.json (the
signature key `4dabf18193072939515e22adb298388d` marks secrets `1b47061264138c4ac30d75fd1eb44270` with
`ciphertext` or `plaintext` (JSON text), assets `c44067f5952c0a294b673a41bacd8c17` and archives
`0def7320c3a5731c473e5ecbe6d01bc7` with a `hash` and `text`/`path`/`uri` or `assets`).

`read_export` turns the file into the `ProgramRun` shape `offline.engine.lifecycle.plan_update` compares:
- the root stack resource and the engine's default providers are left out (the program's runs under
  mocks register neither); a resource on a default provider has no provider, as in those runs;
- a resource's region is its provider's `region` input (references are `<provider urn>::<provider id>`);
- inputs the provider filled in itself (listed in `__defaults`, e.g. autonames) are left out, since
  the program does not set them either;
- a secret compares as its plaintext (`pulumi stack export --show-secrets`); an encrypted one cannot
  be read and compares equal to anything (counted in a notice); its value is never printed;
- an asset compares by its `hash`, the sha256 of its contents, which is what
  `offline.engine.lifecycle.normalized` computes for the program's files; an archive with its member list
  (`assets`, how Pulumi records an AssetArchive such as the functions' code) compares member by
  member. An archive recorded as a hash, path or URI only cannot be recomputed the way the program's
  is hashed (Pulumi hashes the archive file it builds), so it counts as changed and a notice says so;
- a resource marked `delete` (left by a replacement whose delete failed) keeps its names and
  associations until the next update deletes it at the end, with the other deletes (the engine's
  step generator, pkg/resource/deploy/step_generator.go GenerateDeletes); it is listed as
  `<urn> (pending delete)`. A `pendingReplacement` resource was already deleted (delete-before-replace)
  and is created again: it is left out of the base. `pending_operations` (an update interrupted) are
  hazards: a `creating` one may have made a resource AWS holds and the state does not know.

`run_against` runs the program for the changed config the way `pulumi up` sees it: every resource
already deployed answers with its deployed id and outputs, so whatever refers to it sees what is
really there; a resource the change replaces answers with new ones, so whatever refers to it is seen
to change.
"""

from __future__ import annotations

import json
import runpy
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from components.registry import PROJECT
from offline.engine.lifecycle import PROVIDER_PREFIX, TABLE, deployed_tables, diff
from offline.engine.mocks import DEFAULT_REGION, AwsMocks
from offline.engine.run import MAIN, CapturedResource, ProgramRun, RecordingMonitor, alias_urn
from offline.stack_config import load_stack_config

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
STACK_TYPE = "pulumi:pulumi:Stack"
VERSIONS = (3, 4)  # both read as DeploymentV3 (core.go)
PENDING_DELETE = " (pending delete)"


class StateExportError(ValueError):
    pass


# ---------------------------------------------------------------------------------------------
# Property values.


class _Unreadable:
    """An encrypted secret: its value cannot be known here, so it compares equal to anything."""

    def __repr__(self) -> str:
        return "[encrypted]"


UNREADABLE = _Unreadable()


def _unwrap(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.value
    if isinstance(value, dict) and value.get(SIG) == SECRET_SIG and "value" in value:
        return value["value"]  # the SDK's form, as a program run captures a secret input
    return value


class Secret:
    """A secret input as deployed: compares as its plaintext, whether or not the other side is marked secret."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        if self.value is UNREADABLE:
            return True
        other = _unwrap(other)
        return isinstance(other, _Unreadable) or self.value == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __repr__(self) -> str:
        return "[secret]"


class Opaque:
    """An archive recorded without its members: it cannot be compared with the program's, so it differs."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "[archive hash]"


@dataclass
class _Tally:
    encrypted: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)


def decode(value: Any, where: str, tally: _Tally) -> Any:
    """A property value from the export, in the form `offline.engine.lifecycle.normalized` gives the program's."""
    if isinstance(value, list):
        return [decode(v, where, tally) for v in value]
    if not isinstance(value, dict):
        return value
    sig = value.get(SIG)
    if sig == SECRET_SIG:
        if "plaintext" in value:
            try:
                return Secret(decode(json.loads(value["plaintext"]), where, tally))
            except (TypeError, ValueError):
                pass
        tally.encrypted.append(where)
        return Secret(UNREADABLE)
    if sig == ASSET_SIG:
        if value.get("hash"):
            return {"__asset": value["hash"]}
        tally.opaque.append(where)
        return Opaque()
    if sig == ARCHIVE_SIG:
        if isinstance(value.get("assets"), dict):
            return {"__archive": {k: decode(v, where, tally) for k, v in sorted(value["assets"].items())}}
        tally.opaque.append(where)
        return Opaque()
    if sig is not None:
        return value  # a resource reference: kept as recorded
    defaults = set(value.get("__defaults") or ())
    return {k: decode(v, where, tally) for k, v in value.items() if k != "__defaults" and k not in defaults}


def _plain(value: Any) -> bool:
    """Whether an output can be handed to the program as it is (no secret, asset or archive inside)."""
    if isinstance(value, dict):
        return SIG not in value and all(_plain(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return True


# ---------------------------------------------------------------------------------------------
# The export.


@dataclass
class DeployedStack:
    """A stack export read into the shape of a program run, and what it says beyond that."""

    source: str
    run: ProgramRun  # the base of the diff: live resources, then pending deletes under their own URN
    outputs: dict[str, dict[str, Any]]  # URN -> deployed outputs a program may be handed (plain values)
    pending_deletes: list[str] = field(default_factory=list)
    pending_replacements: list[str] = field(default_factory=list)
    pending_operations: list[str] = field(default_factory=list)
    tainted: list[str] = field(default_factory=list)
    encrypted: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)

    @property
    def live(self) -> dict[str, CapturedResource]:
        return {r.urn: r for r in self.run.resources if not r.urn.endswith(PENDING_DELETE)}

    def describe(self) -> str:
        count = len(self.run.resources) - len(self.pending_deletes)
        extra = f", {len(self.pending_deletes)} pending delete" if self.pending_deletes else ""
        return f"{self.source} (pulumi stack export, {count} resources{extra})"

    def notices(self) -> list[str]:
        found = []
        if self.pending_deletes:
            found.append(
                f"{len(self.pending_deletes)} resource(s) left by a failed replacement are deleted at the end of this "
                f"update and hold their names until then: {', '.join(_short(u) for u in self.pending_deletes)}"
            )
        found += [
            f"{_short(u)} was deleted by an interrupted delete-before-replace: pulumi up creates it again"
            for u in self.pending_replacements
        ]
        found += [f"{_short(u)} is tainted (pulumi state taint): pulumi up replaces it" for u in self.tainted]
        if self.encrypted:
            found.append(
                f"{len(self.encrypted)} secret input(s) are encrypted in the export and taken as unchanged "
                f"({', '.join(sorted({_short(u) for u in self.encrypted}))}); "
                "pulumi stack export --show-secrets lets them be compared"
            )
        if self.opaque:
            found.append(
                "recorded as a hash only, so counted as changed (the program's archive cannot be hashed the way "
                f"Pulumi hashes the file it builds): {', '.join(sorted({_short(u) for u in self.opaque}))}"
            )
        return found

    def hazards(self) -> list[str]:
        return self.pending_operations


def _short(urn: str) -> str:
    parts = urn.split("::")
    return f"{parts[2].split('$')[-1]}::{parts[3]}" if len(parts) >= 4 else urn


def _urn_parts(urn: Any) -> Optional[tuple[str, str]]:
    """(stack, project) a URN names: `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:"):
        return None
    parts = urn[len("urn:pulumi:") :].split("::")
    return (parts[0], parts[1]) if len(parts) >= 4 else None


def _load(path: Path, label: str) -> dict:
    if not path.is_file():
        raise StateExportError(f"{label}: no such file (make one with: pulumi stack export --file {path.name})")
    try:
        document = json.loads(path.read_text())
    except UnicodeDecodeError:
        raise StateExportError(f"{label} is not JSON text (make it with pulumi stack export --file FILE)") from None
    except json.JSONDecodeError as error:
        raise StateExportError(
            f"{label} is not JSON ({error.msg}, line {error.lineno}): expected the output of pulumi stack export"
        ) from None
    version = document.get("version") if isinstance(document, dict) else None
    deployment = document.get("deployment") if isinstance(document, dict) else None
    if not isinstance(deployment, dict) or version not in VERSIONS:
        got = f"version {version!r}" if isinstance(document, dict) else f"a JSON {type(document).__name__}"
        raise StateExportError(
            f'{label} is not a Pulumi deployment: expected {{"version": 3, "deployment": {{...}}}} as pulumi stack '
            f"export prints it, got {got}{'' if isinstance(deployment, dict) else ' without a deployment object'}"
        )
    resources = deployment.get("resources") or []
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(r.get("type"), str) for r in resources
    ):
        raise StateExportError(
            f"{label} is not a Pulumi deployment: deployment.resources must be a list of {{urn, type, ...}}"
        )
    return deployment


def read_export(path: str | Path, stack: str, label: Optional[str] = None) -> DeployedStack:
    """The stack export at `path`, checked to be `stack` of this project, as a base run."""
    label = label or f"--state {path}"
    deployment = _load(Path(path), label)
    resources = deployment.get("resources") or []
    for item in resources:
        named = _urn_parts(item["urn"])
        if named is None:
            raise StateExportError(f"{label} is not a Pulumi deployment: {item['urn']!r} is not a URN")
        if named != (stack, PROJECT):
            raise StateExportError(
                f"{label} is an export of stack {named[0]!r} of project {named[1]!r}, not stack {stack!r} of "
                f"{PROJECT!r}: export the stack you diff (pulumi stack export --stack {stack})"
            )
    managed = [r for r in resources if r["type"] != STACK_TYPE and not r["type"].startswith(PROVIDER_PREFIX)]
    if not managed:
        raise StateExportError(
            f"{label} holds no resources (a stack never deployed, or destroyed): there is nothing deployed to diff against"
        )

    providers = {r["urn"]: r for r in resources if r["type"].startswith(PROVIDER_PREFIX) and not r.get("delete")}
    tally = _Tally()
    live: list[CapturedResource] = []
    pending: list[CapturedResource] = []
    outputs: dict[str, dict[str, Any]] = {}
    result = DeployedStack(source=str(path), run=ProgramRun(stack=stack, resources=[], outputs={}), outputs=outputs)
    for item in resources:
        urn, type_ = item["urn"], item["type"]
        if type_ == STACK_TYPE:
            result.run.outputs = dict(item.get("outputs") or {})
            continue
        if type_.startswith(PROVIDER_PREFIX) and _is_default_provider(urn):
            continue
        if item.get("pendingReplacement"):
            result.pending_replacements.append(urn)
            continue
        provider_ref = item.get("provider") or None
        provider_of = providers.get((provider_ref or "").rsplit("::", 1)[0])
        if provider_ref and _is_default_provider(provider_ref.rsplit("::", 1)[0]):
            provider_ref = None  # the engine's default provider: a program run under mocks names none
        if type_.startswith(PROVIDER_PREFIX):
            region = str((item.get("inputs") or {}).get("region") or DEFAULT_REGION)
            item = {**item, "inputs": {k: v for k, v in (item.get("inputs") or {}).items() if k != "version"}}
        else:
            region = str(((provider_of or {}).get("inputs") or {}).get("region") or DEFAULT_REGION)
        inputs = decode(item.get("inputs") or {}, urn, tally)
        state = decode(item.get("outputs") or {}, urn, _Tally())
        if item.get("taint") and not item.get("delete"):
            result.tainted.append(urn)
        resource = CapturedResource(
            urn=urn + (PENDING_DELETE if item.get("delete") else ""),
            type=type_,
            name=urn.rsplit("::", 1)[-1],
            id=item.get("id") or None,
            inputs=inputs,
            state=state,
            region=region,
            custom=bool(item.get("custom")),
            parent=item.get("parent") or None,
            provider=provider_ref,
            dependencies=list(item.get("dependencies") or []),
            property_dependencies={k: list(v) for k, v in (item.get("propertyDependencies") or {}).items()},
            aliases=[],  # the state's aliases are URNs it had before; a program's aliases are what count
            protect=bool(item.get("protect")),
            retain_on_delete=bool(item.get("retainOnDelete")),
            ignore_changes=list(item.get("ignoreChanges") or []),
        )
        if item.get("delete"):
            pending.append(resource)
            result.pending_deletes.append(urn)
        else:
            live.append(resource)
            outputs[urn] = {
                k: v for k, v in (item.get("outputs") or {}).items() if not k.startswith("__") and _plain(v)
            }
    # Pending deletes last: deletes run in reverse, so they go first among the deletes, and they hold
    # their names from the start.
    result.run.resources = live + pending
    result.encrypted, result.opaque = tally.encrypted, tally.opaque
    for operation in deployment.get("pending_operations") or []:
        target = (operation.get("resource") or {}).get("urn", "?") if isinstance(operation, dict) else "?"
        kind = operation.get("type", "?") if isinstance(operation, dict) else "?"
        result.pending_operations.append(
            f"an interrupted update left a pending {kind} operation on {_short(target)}: its state is unknown "
            "(a creating one may exist in AWS unknown to the state); confirm it in AWS and run pulumi refresh first"
        )
    return result


def _is_default_provider(provider_urn: str) -> bool:
    return provider_urn.rsplit("::", 1)[-1].startswith("default")


def tables_of(deployed: DeployedStack) -> dict[str, dict[str, str]]:
    """What AWS's tagging API lists for the stack's table per region: the deployed `tagsAll` where recorded."""
    tables = deployed_tables(ProgramRun(deployed.run.stack, list(deployed.live.values()), {}))
    for table in deployed.live.values():
        if table.type != TABLE or not isinstance(table.state.get("tagsAll"), dict):
            continue
        tags = {**table.state["tagsAll"], "__name": table.inputs.get("name", "")}
        for region in [table.region] + [r.get("regionName") for r in table.inputs.get("replicas") or []]:
            tables[region] = tags
    return tables


# ---------------------------------------------------------------------------------------------
# The program, answered by what is deployed.

# Outputs that stay the same when AWS replaces the resource (the zone of a load balancer's region...).
_STABLE = ("zoneId", "ZoneId", "region", "name")


class _DeployedMocks(AwsMocks):
    def __init__(self, deployed: DeployedStack) -> None:
        super().__init__(deployed_tables=tables_of(deployed))
        self.deployed = deployed
        self.answer = threading.local()  # set by the monitor for the registration under way on this thread

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        rid, state = super().new_resource(args)
        old, replaced, changed = getattr(self.answer, "value", (None, False, ()))
        self.answer.value = (None, False, ())
        if old is None or not args.custom:
            return rid, state
        if replaced:  # a new resource in AWS: a new id, and new values wherever AWS makes them
            deployed = self.deployed.outputs.get(old.urn, {})
            for key, value in state.items():
                if key not in args.inputs and isinstance(value, str) and value == deployed.get(key):
                    if not key.endswith(_STABLE):
                        state[key] = f"{value}-replacement"
            return (f"{old.id}-replacement" if rid == old.id else rid), state
        if args.typ.startswith(PROVIDER_PREFIX):
            return old.id or rid, state
        merged = {**state, **self.deployed.outputs.get(old.urn, {})}
        merged.update({k: v for k, v in args.inputs.items() if k in changed})
        return old.id or rid, merged


class _DeployedMonitor(RecordingMonitor):
    def __init__(self, mocks: _DeployedMocks):
        super().__init__(mocks)
        self.deployed_mocks = mocks

    def RegisterResource(self, request):
        if request.type != STACK_TYPE and request.custom:
            live = self.deployed_mocks.deployed.live
            urn = self.make_urn(request.parent, request.type, request.name)
            candidates = [urn] + [
                alias_urn(a, request, pulumi.get_project(), pulumi.get_stack()) for a in request.aliases
            ]
            old = next((live[c] for c in candidates if c in live), None)
            if old is not None:
                probe = CapturedResource(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    id=None,
                    inputs=rpc.deserialize_properties(request.object),
                    state={},
                    region="",
                    custom=True,
                    parent=None,
                    provider=request.provider or None,
                    ignore_changes=list(request.ignoreChanges),
                )
                changed, forced = diff(old, probe)
                self.deployed_mocks.answer.value = (old, bool(forced), changed)
        return super().RegisterResource(request)


def run_against(stack: str, values: dict, deployed: DeployedStack) -> ProgramRun:
    """Run the program for config `values` (full or short keys) with the deployed stack answering."""
    config = load_stack_config(stack, (), values)
    mocks = _DeployedMocks(deployed)
    monitor = _DeployedMonitor(mocks)
    runtime_settings.ROOT.set(None)
    runtime_config.set_all_config(config)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)

    def program():
        runpy.run_path(str(MAIN), run_name="__pulumi_program__")

    _sync_await(run_pulumi_func(program))
    _sync_await(wait_for_rpcs())
    return ProgramRun(stack=stack, resources=list(monitor.captured), outputs={})
