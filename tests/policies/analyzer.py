"""Drive the real policy pack over gRPC, the way the Pulumi CLI does during `pulumi preview --policy-pack`.

The CLI starts `python -m pulumi.policy <engine> <pack dir>` in the pack directory (here isolated: `-I`, so
neither PYTHONPATH nor this repository is on sys.path, only the pack's folder and site-packages), reads
the port the PolicyPack prints, then calls GetAnalyzerInfo, Configure, Analyze (one call per resource, inputs) and
AnalyzeStack (every resource, outputs). The tests compare what the pack answers with what the offline
engine (offline/engine/policy_engine.py) reports for the same resources.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel
from pulumi_policy.deserialize import serialize_properties

from offline.engine.policy_engine import PROVIDER_TYPE_PREFIX, PackConfig, default_provider

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
_LEVELS = {
    EnforcementLevel.ADVISORY: proto.ADVISORY,
    EnforcementLevel.MANDATORY: proto.MANDATORY,
    EnforcementLevel.DISABLED: proto.DISABLED,
    EnforcementLevel.REMEDIATE: proto.REMEDIATE,
}
_FROM_PROTO = {v: k for k, v in _LEVELS.items()}


def _struct(props: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(serialize_properties(props)))
    return struct


class RunningPack:
    """The pack's analyzer server in a subprocess, and a client for it."""

    def __init__(self, pack_dir: Path = PACK_DIR) -> None:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(pack_dir)],
            cwd=pack_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        port = self._read_port(timeout=60)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self, timeout: float) -> int:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].strip().isdigit():
            self.close()
            raise RuntimeError(f"the pack did not start: {line!r} {self.process.stderr.read()}")
        return int(line[0])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # -- analyzer calls ------------------------------------------------------------------------

    def info(self) -> Any:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: PackConfig) -> None:
        request = proto.ConfigureAnalyzerRequest()
        for name, level in config.levels.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = _LEVELS[level]
            entry.properties.CopyFrom(_struct(config.properties.get(name) or {}))
        self.stub.Configure(request)

    def analyze(self, resources: Iterable[Any], home_region: Optional[str]) -> list[tuple[str, str, str, str]]:
        """(policy, level, urn, message) for every diagnostic of Analyze and AnalyzeStack."""
        resources = list(resources)
        providers = {r.urn: r for r in resources if r.type.startswith(PROVIDER_TYPE_PREFIX)}
        found = []
        for resource in resources:
            request = proto.AnalyzeRequest(
                type=resource.type,
                properties=_struct(resource.inputs),
                urn=resource.urn,
                name=resource.name,
                options=proto.AnalyzerResourceOptions(parent=resource.parent or ""),
            )
            provider = self._provider(resource, providers, home_region)
            if provider is not None:
                request.provider.CopyFrom(provider)
            # A resource policy's diagnostic belongs to the resource analyzed (the engine attaches it).
            found += [_row(d, d.urn or resource.urn) for d in self.stub.Analyze(request).diagnostics]
        stack = proto.AnalyzeStackRequest(
            resources=[self._stack_resource(r, providers, home_region) for r in resources]
        )
        found += [_row(d, d.urn) for d in self.stub.AnalyzeStack(stack).diagnostics]
        return found

    def _provider(self, resource: Any, providers: dict, home_region: Optional[str]) -> Optional[Any]:
        if resource.provider:
            source = providers[resource.provider.rsplit("::", 1)[0]]
            return proto.AnalyzerProviderResource(
                type=source.type, properties=_struct(source.inputs), urn=source.urn, name=source.name
            )
        if resource.custom and not resource.type.startswith(PROVIDER_TYPE_PREFIX):
            fallback = default_provider(home_region)
            return proto.AnalyzerProviderResource(
                type=fallback.resource_type,
                properties=_struct(dict(fallback.props["__target"])),
                urn=fallback.urn,
                name=fallback.name,
            )
        return None

    def _stack_resource(self, resource: Any, providers: dict, home_region: Optional[str]) -> Any:
        message = proto.AnalyzerResource(
            type=resource.type,
            properties=_struct(resource.state),
            urn=resource.urn,
            name=resource.name,
            options=proto.AnalyzerResourceOptions(parent=resource.parent or ""),
            parent=resource.parent or "",
            dependencies=list(resource.dependencies),
        )
        provider = self._provider(resource, providers, home_region)
        if provider is not None:
            message.provider.CopyFrom(provider)
        for key, urns in resource.property_dependencies.items():
            message.propertyDependencies[key].urns.extend(urns)
        return message


def _row(diagnostic: Any, urn: str) -> tuple[str, str, str, str]:
    return (
        diagnostic.policyName,
        _FROM_PROTO[diagnostic.enforcementLevel].value,
        urn,
        _without_description(diagnostic),
    )


def _without_description(diagnostic: Any) -> str:
    """The analyzer prefixes each message with the policy description and a newline."""
    prefix = diagnostic.description + "\n"
    message = diagnostic.message
    return message[len(prefix) :] if message.startswith(prefix) else message
