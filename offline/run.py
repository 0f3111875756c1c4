"""Run the Pulumi program under mocks and capture what it would register.

Used by the tests, the policy checker (`python -m policies.check`) and the benchmarks: one place
that knows how to execute `__main__.py` without the Pulumi CLI or AWS.
"""

import runpy
from functools import cached_property
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks as runtime_mocks
from pulumi.runtime import rpc, settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from offline.mocks import AwsMocks
from offline.stack_config import ROOT, load_stack_config

PROJECT = "global-serverless"
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


@dataclass
class ProgramRun:
    stack: str
    resources: list[CapturedResource]
    outputs: dict[str, Any]
    error: Optional[BaseException] = None

    def of_type(self, type_token: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_token]

    def in_region(self, region: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.custom and r.region == region and not r.type.startswith("pulumi:providers:")]

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


class RecordingMonitor(runtime_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping each registration's parent and dependencies."""

    def __init__(self, mocks: AwsMocks):
        super().__init__(mocks)
        self.captured: list[CapturedResource] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registered = self.resources[response.urn]
        self.captured.append(CapturedResource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            id=registered.id,
            inputs=rpc.deserialize_properties(request.object),
            state=dict(registered.state),
            region=(self.mocks.provider_regions.get(request.name, "us-east-1")
                    if request.type == "pulumi:providers:aws" else self.mocks.region_of(request.provider)),
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=request.provider or None,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
        ))
        return response


def run_program(stack: str = "dev", overrides: Iterable[str] = (), values: Optional[dict] = None,
                preview: bool = False, raise_errors: bool = True) -> ProgramRun:
    """Execute __main__.py for `stack` under mocks.

    Raises what the program raises (e.g. ConfigError); with raise_errors=False the error is kept in
    the returned run instead, next to whatever was registered before it.
    """
    config = load_stack_config(stack, overrides, values)
    mocks = AwsMocks()
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
