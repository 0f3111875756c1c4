"""Run the Pulumi program under mocks and capture what it would register.

Used by the tests, the policy checker (`python -m offline.check`) and the benchmarks: one place
that knows how to execute `__main__.py` without the Pulumi CLI or AWS.
"""

import asyncio
import atexit
import runpy
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks as runtime_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from components.registry import PROJECT
from offline.engine.mocks import DEFAULT_REGION, AwsMocks
from offline.stack_config import ROOT, load_stack_config

MAIN = ROOT / "__main__.py"


@dataclass
class CapturedResource:
    urn: str
    type: str
    name: str
    id: Optional[str]
    inputs: dict[str, Any]
    state: dict[str, Any]
    region: str
    custom: bool
    parent: Optional[str]
    provider: Optional[str]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    # Resource options the engine acts on during an update.
    aliases: list[str] = field(default_factory=list)  # URNs this resource may have had before
    delete_before_replace: bool = False
    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)


@dataclass
class ProgramRun:
    stack: str
    resources: list[CapturedResource]
    outputs: dict[str, Any]
    error: Optional[BaseException] = None

    def of_type(self, type_token: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_token]

    def in_region(self, region: str) -> list[CapturedResource]:
        return [
            r for r in self.resources if r.custom and r.region == region and not r.type.startswith("pulumi:providers:")
        ]

    @cached_property
    def _by_urn(self) -> dict[str, CapturedResource]:
        return {r.urn: r for r in self.resources}

    def ancestor(self, resource: CapturedResource, component_type: str) -> Optional[CapturedResource]:
        """The nearest enclosing component whose type token ends with `component_type`."""
        by_urn = self._by_urn
        parent = by_urn.get(resource.parent or "")
        while parent is not None:
            if parent.type.endswith(component_type):
                return parent
            parent = by_urn.get(parent.parent or "")
        return None

    def by_name(self, name: str) -> CapturedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


def qualified_type(urn: str) -> str:
    """The `parentType$...$type` part of a URN."""
    return urn.split("::")[2]


def engine_urn(parent: str, type_: str, name: str, project: str, stack: str) -> str:
    """A URN as the engine makes it: the parent's whole type chain, none for the stack's own children.

    (The SDK's mock monitor keeps only the parent's last type and prefixes the stack's type, so its
    URNs would not match the ones a real deployment records, nor the aliases that name them.)
    """
    prefix = ""
    if parent and qualified_type(parent) != "pulumi:pulumi:Stack":
        prefix = qualified_type(parent) + "$"
    return f"urn:pulumi:{stack}::{project}::{prefix}{type_}::{name}"


def alias_urn(alias, request, project: str, stack: str) -> str:
    """The URN an alias names, the way the engine computes it (unset fields default to the resource's own)."""
    if alias.urn:
        return alias.urn
    spec = alias.spec
    parent = request.parent
    if spec.noParent:
        parent = ""
    elif spec.parentUrn:
        parent = spec.parentUrn
    return engine_urn(
        parent, spec.type or request.type, spec.name or request.name, spec.project or project, spec.stack or stack
    )


# The SDK's mock monitor answers on the event loop's executor threads, and each thread opens an event loop
# of its own (pulumi's _sync_await) that nothing closes. Left to the garbage collector at interpreter exit,
# a loop's sockets may already be gone and Python prints "Exception ignored in BaseEventLoop.__del__" after
# a run that succeeded; so they are closed at exit, while the interpreter is whole.
_open_loops: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def _note_this_threads_loop() -> None:
    try:
        _open_loops.add(asyncio.get_event_loop())
    except RuntimeError:  # this thread has no loop
        pass


@atexit.register
def _close_event_loops() -> None:
    _note_this_threads_loop()
    for loop in list(_open_loops):
        if not loop.is_closed() and not loop.is_running():
            loop.close()


class RecordingMonitor(runtime_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping each registration's parent and dependencies."""

    def __init__(self, mocks: AwsMocks):
        super().__init__(mocks)
        self.aws_mocks = mocks  # MockMonitor keeps them as the base Mocks; ours also know each provider's region
        self.captured: list[CapturedResource] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(parent, type_, name, pulumi.get_project(), pulumi.get_stack())

    def Invoke(self, request):
        response = super().Invoke(request)
        _note_this_threads_loop()
        return response

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        _note_this_threads_loop()
        if request.type == "pulumi:pulumi:Stack":
            return response
        registered = self.resources[response.urn]
        self.captured.append(
            CapturedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                id=registered.id,
                inputs=rpc.deserialize_properties(request.object),
                state=dict(registered.state),
                region=(
                    self.aws_mocks.provider_regions.get(request.name, DEFAULT_REGION)
                    if request.type == "pulumi:providers:aws"
                    else self.aws_mocks.region_of(request.provider)
                ),
                custom=bool(request.custom),
                parent=request.parent or None,
                provider=request.provider or None,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                aliases=[
                    alias_urn(spec, request, pulumi.get_project(), pulumi.get_stack()) for spec in request.aliases
                ],
                delete_before_replace=bool(request.deleteBeforeReplace),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                ignore_changes=list(request.ignoreChanges),
            )
        )
        return response


def run_program(
    stack: str = "dev",
    overrides: Iterable[str] = (),
    values: Optional[dict] = None,
    preview: bool = False,
    raise_errors: bool = True,
    deployed_tables: Optional[dict[str, dict[str, str]]] = None,
) -> ProgramRun:
    """Execute __main__.py for `stack` under mocks.

    Raises what the program raises (e.g. ConfigError); with raise_errors=False the error is kept in
    the returned run instead, next to whatever was registered before it. `deployed_tables` (region ->
    tags) stands for a stack deployed before: the DynamoDB tables AWS would describe.
    """
    config = load_stack_config(stack, overrides, values)
    mocks = AwsMocks(deployed_tables=deployed_tables)
    monitor = RecordingMonitor(mocks)
    runtime_settings.ROOT.set(None)
    runtime_config.set_all_config(config)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    outputs: dict[str, Any] = {}

    def program():
        runpy.run_path(str(MAIN), run_name="__pulumi_program__")

    try:
        _sync_await(run_pulumi_func(program))
    except Exception as error:  # noqa: BLE001 handed back to the caller, who decides
        if raise_errors:
            raise
        return ProgramRun(stack=stack, resources=list(monitor.captured), outputs={}, error=error)
    stack_resource = runtime_settings.get_root_resource()
    exported = dict(getattr(stack_resource, "outputs", {}) or {})
    if exported:
        outputs = _sync_await(pulumi.Output.from_input(exported).future()) or {}
    _sync_await(wait_for_rpcs())
    return ProgramRun(stack=stack, resources=list(monitor.captured), outputs=outputs)
