"""Run the pack's policies over captured resources the way the Pulumi engine and pulumi_policy would.

- Pack config is reconciled like the CLI does (`ReconcilePolicyPackConfig`): schema defaults, then the
  `all` enforcement level, then per-policy entries; properties reach policies as protobuf would hand
  them over (numbers as floats).
- Resource policies get ResourceValidationArgs over each resource's *inputs*; stack policies get one
  StackValidationArgs whose PolicyResources carry *outputs*, parent, dependencies and property
  dependencies linked as objects; every resource gets its PolicyProviderResource (the default provider
  in the home region when it has no explicit one).
- A validator that raises UnknownValueError becomes an advisory "can't run policy during preview"
  violation, as in pulumi_policy's analyzer; not_applicable() is honoured.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any, Optional

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

PROVIDER_TYPE_PREFIX = "pulumi:providers:"
ALL_KEY = "all"
_JSON_TYPES = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class PackConfigError(ValueError):
    """A pack config file the CLI would refuse (or that names a policy the pack does not have)."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: EnforcementLevel
    message: str
    urn: Optional[str]
    resource: str  # "<type> '<name>'" of the resource at fault, or "stack"

    @property
    def mandatory(self) -> bool:
        return self.level == EnforcementLevel.MANDATORY


# ---------------------------------------------------------------------------------------------
# Pack config.


@dataclass
class PackConfig:
    levels: dict[str, EnforcementLevel]
    properties: dict[str, dict[str, Any]]

    def level(self, policy: Policy) -> EnforcementLevel:
        return self.levels[policy.name]

    def config(self, policy: Policy) -> Optional[dict[str, Any]]:
        # pulumi_policy hands a policy None (-> {}) when it has no properties.
        props = self.properties.get(policy.name)
        return dict(props) if props else None


def _entry(name: str, value: Any) -> tuple[Optional[EnforcementLevel], dict[str, Any]]:
    """One config entry: a level string, or an object with an optional enforcementLevel and properties."""
    if isinstance(value, str):
        return _level(name, value), {}
    if isinstance(value, dict):
        props = {k: v for k, v in value.items() if k != "enforcementLevel"}
        level = value.get("enforcementLevel")
        return (None if level is None else _level(name, level)), props
    raise PackConfigError(f'pack config "{name}": must be an enforcement level or an object, got {value!r}')


def _level(name: str, value: Any) -> EnforcementLevel:
    try:
        return EnforcementLevel(value)
    except ValueError:
        allowed = ", ".join(level.value for level in EnforcementLevel)
        raise PackConfigError(f'pack config "{name}": enforcement level {value!r} is not one of {allowed}') from None


def _check_property(policy: Policy, key: str, value: Any) -> None:
    schema = (policy.config_schema.properties if policy.config_schema else {}).get(key)
    if schema is None:
        return  # the CLI accepts properties a schema does not declare
    expected = schema.get("type")
    ok = expected not in _JSON_TYPES or (
        isinstance(value, _JSON_TYPES[expected]) and not (expected in ("integer", "number") and isinstance(value, bool))
    )
    if ok and "minimum" in schema and isinstance(value, (int, float)):
        ok = value >= schema["minimum"]
    if ok and "enum" in schema:
        ok = value in schema["enum"]
    item_schema = schema.get("items", {})
    if ok and isinstance(value, list) and item_schema:
        ok = all(
            isinstance(v, _JSON_TYPES.get(item_schema.get("type"), (object,)))
            and ("enum" not in item_schema or v in item_schema["enum"])
            for v in value
        )
    if not ok:
        raise PackConfigError(
            f'pack config "{policy.name}": {key} = {json.dumps(value)} does not match its schema {json.dumps(schema)}'
        )


def _as_protobuf(value: Any) -> Any:
    """What a value looks like after google.protobuf.Struct: every number a float."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_as_protobuf(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_protobuf(v) for k, v in value.items()}
    return value


def resolve_pack_config(
    policies: Sequence[Policy],
    default_level: EnforcementLevel,
    file_config: Optional[Mapping[str, Any]] = None,
    facts: Optional[Mapping[str, Any]] = None,
) -> PackConfig:
    """Levels and properties per policy, as the CLI reconciles them, then `facts` (stack-derived values
    such as expectedRegions) set on every policy whose schema declares them."""
    by_name = {p.name: p for p in policies}
    file_config = dict(file_config or {})
    unknown = sorted(set(file_config) - set(by_name) - {ALL_KEY})
    if unknown:
        raise PackConfigError(
            f"pack config names unknown policies: {', '.join(unknown)} (policies: see policies/catalog.py)"
        )
    levels: dict[str, EnforcementLevel] = {}
    properties: dict[str, dict[str, Any]] = {}
    all_level, _ = _entry(ALL_KEY, file_config[ALL_KEY]) if ALL_KEY in file_config else (None, {})
    for policy in policies:
        schema = policy.config_schema.properties if policy.config_schema else {}
        props = {k: v["default"] for k, v in schema.items() if "default" in v}
        level = all_level or policy.enforcement_level or default_level
        if policy.name in file_config:
            given_level, given = _entry(policy.name, file_config[policy.name])
            level = given_level or level
            for key, value in given.items():
                _check_property(policy, key, value)
            props.update(given)
        for key, value in (facts or {}).items():
            if key in schema:
                props[key] = value
        levels[policy.name] = level
        properties[policy.name] = _as_protobuf(props)
    return PackConfig(levels=levels, properties=properties)


# ---------------------------------------------------------------------------------------------
# Resources as the analyzer sees them.


@dataclass
class AnalyzedResource:
    """One captured resource (offline.engine.run.CapturedResource or a test fixture of the same shape)."""

    source: Any
    provider: Optional[PolicyProviderResource]
    opts: PolicyResourceOptions

    @property
    def urn(self) -> str:
        return self.source.urn

    @property
    def label(self) -> str:
        return f"{self.source.type} '{self.source.name}'"


def _options(resource: Any) -> PolicyResourceOptions:
    # The offline capture does not keep protect/ignoreChanges/aliases: the engine's defaults stand in.
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent,
    )


def default_provider(
    home_region: Optional[str], stack: str = "stack", project: str = "project"
) -> PolicyProviderResource:
    """The provider the engine gives resources registered without one: aws:region of the stack."""
    name = "default"
    urn = f"urn:pulumi:{stack}::{project}::{PROVIDER_TYPE_PREFIX}aws::{name}"
    return PolicyProviderResource(
        f"{PROVIDER_TYPE_PREFIX}aws", unknown_checking_proxy({"region": home_region} if home_region else {}), urn, name
    )


def analyzed(resources: Iterable[Any], home_region: Optional[str]) -> list[AnalyzedResource]:
    resources = list(resources)
    providers = {
        r.urn: PolicyProviderResource(r.type, unknown_checking_proxy(dict(r.inputs)), r.urn, r.name)
        for r in resources
        if r.type.startswith(PROVIDER_TYPE_PREFIX)
    }
    fallback = default_provider(home_region)
    result = []
    for resource in resources:
        provider = None
        if resource.provider:
            # A provider reference is "<provider URN>::<provider id>".
            provider = providers.get(resource.provider.rsplit("::", 1)[0])
        elif resource.custom and not resource.type.startswith(PROVIDER_TYPE_PREFIX):
            provider = fallback
        result.append(AnalyzedResource(source=resource, provider=provider, opts=_options(resource)))
    return result


def stack_resources(resources: Sequence[AnalyzedResource]) -> list[PolicyResource]:
    """PolicyResources over outputs, with parent/dependencies/property dependencies as objects."""
    built = {
        r.urn: PolicyResource(
            r.source.type,
            unknown_checking_proxy(dict(r.source.state)),
            r.urn,
            r.source.name,
            r.opts,
            r.provider,
            None,
            [],
            {},
        )
        for r in resources
    }
    for r in resources:
        resource = built[r.urn]
        resource.parent = built.get(r.source.parent) if r.source.parent else None
        resource.dependencies = [built[d] for d in r.source.dependencies if d in built]
        resource.property_dependencies = {
            key: [built[d] for d in urns if d in built] for key, urns in r.source.property_dependencies.items()
        }
    return list(built.values())


# ---------------------------------------------------------------------------------------------
# Running policies.


@dataclass
class _Collector:
    policy: Policy
    level: EnforcementLevel
    labels: Mapping[str, str]
    default_urn: Optional[str] = None
    violations: list[Violation] = field(default_factory=list)

    def report(self, message: str, urn: Optional[str] = None) -> None:
        # Resource policies always report against the resource validated (the analyzer ignores `urn`).
        target = self.default_urn or urn
        self.violations.append(
            Violation(
                self.policy.name, self.level, message, target, self.labels.get(target, "stack") if target else "stack"
            )
        )

    def unknown(self, error: UnknownValueError) -> None:
        self.violations.append(
            Violation(
                self.policy.name,
                EnforcementLevel.ADVISORY,
                f"can't run policy '{self.policy.name}' during preview: {error.message}",
                self.default_urn,
                self.labels.get(self.default_urn, "stack") if self.default_urn else "stack",
            )
        )


def _call(policy: ResourceValidationPolicy | StackValidationPolicy, args: Any, collector: _Collector) -> None:
    try:
        result = policy.validate(args, collector.report)
        if isawaitable(result):
            asyncio.run(_await(result))
    except UnknownValueError as error:
        collector.unknown(error)
    except _NotApplicableError:
        pass


async def _await(awaitable: Any) -> None:
    await awaitable


def evaluate(
    policies: Sequence[Policy], resources: Iterable[Any], pack_config: PackConfig, home_region: Optional[str] = None
) -> list[Violation]:
    """Every violation of every enabled policy over `resources` (CapturedResource-shaped objects)."""
    analyzed_resources = analyzed(resources, home_region)
    labels = {r.urn: r.label for r in analyzed_resources}
    stack: Optional[list[PolicyResource]] = None
    violations: list[Violation] = []
    for policy in policies:
        level = pack_config.level(policy)
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY  # what the analyzer reports for a violation left standing
        config = pack_config.config(policy)
        if isinstance(policy, ResourceValidationPolicy):
            for resource in analyzed_resources:
                collector = _Collector(policy, level, labels, default_urn=resource.urn)
                args = ResourceValidationArgs(
                    resource.source.type,
                    unknown_checking_proxy(dict(resource.source.inputs)),
                    resource.urn,
                    resource.source.name,
                    resource.opts,
                    resource.provider,
                    config,
                    {},
                )
                _call(policy, args, collector)
                violations += collector.violations
        elif isinstance(policy, StackValidationPolicy):
            stack = stack if stack is not None else stack_resources(analyzed_resources)
            collector = _Collector(policy, level, labels)
            _call(policy, StackValidationArgs(stack, config, {}), collector)
            violations += collector.violations
    return violations
