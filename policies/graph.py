"""A read-only view of a stack's resources for stack policies: types, parents, links, backends.

Links between resources are followed through values when they are known (ARNs, ids) and through
`property_dependencies` when they are not: during preview a distribution's edge function ARN or a
role policy's role id is unknown, but the engine still records which resource the property came from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

from policies import tokens as t
from policies.common import constant, elements, get, is_unknown, region_of, trusted_services

LAMBDA_PRINCIPAL: str = constant("LAMBDA_PRINCIPAL")
EDGE_PRINCIPAL: str = constant("EDGE_LAMBDA_PRINCIPAL")
CACHE_BEHAVIOR_PROPS = ("defaultCacheBehavior", "orderedCacheBehaviors")


@dataclass
class EdgeUse:
    """A Lambda function CloudFront runs at the edge, and the events it is attached to."""

    function: Any
    event_types: set[str] = field(default_factory=set)
    association_arns: list[Any] = field(default_factory=list)
    distributions: list[Any] = field(default_factory=list)


@dataclass
class Backend:
    """One regional backend: its region, its resources, its API functions and entries."""

    region: Any
    resources: list[Any]
    functions: list[Any]
    entries: list[Any]
    component: Optional[Any] = None

    @property
    def name(self) -> str:
        return self.component.name if self.component is not None else f"region {self.region}"


class StackGraph:
    def __init__(self, resources: Iterable[Any]):
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[Any]] = defaultdict(list)
        for resource in self.resources:
            self._by_type[resource.resource_type].append(resource)
        self._edge: Optional[dict[str, EdgeUse]] = None

    def of_type(self, *types: str) -> list[Any]:
        return [r for type_ in types for r in self._by_type.get(type_, [])]

    def ancestors(self, resource: Any) -> Iterator[Any]:
        seen = set()
        parent = resource.parent
        while parent is not None and parent.urn not in seen:
            seen.add(parent.urn)
            yield parent
            parent = parent.parent

    def dependencies(self, resource: Any, prop: str, *types: str) -> list[Any]:
        """Resources the engine recorded as feeding `prop` of `resource`, optionally of some types."""
        found = list((resource.property_dependencies or {}).get(prop, []))
        return [r for r in found if not types or r.resource_type in types]

    def linked(
        self, resource: Any, prop: str, value: Any, target_types: tuple[str, ...], target_keys: tuple[str, ...]
    ) -> list[Any]:
        """Targets whose `target_keys` output equals `value` (when known), else the property dependencies."""
        if value is not None and not is_unknown(value):
            matches = [
                r for r in self.of_type(*target_types) if any(_same(get(r.props, key), value) for key in target_keys)
            ]
            if matches:
                return matches
        return self.dependencies(resource, prop, *target_types)

    # -- Lambda, IAM ---------------------------------------------------------------------------

    def role_of(self, function: Any) -> Optional[Any]:
        roles = self.linked(function, "role", get(function.props, "role"), (t.IAM_ROLE,), ("arn",))
        return roles[0] if roles else None

    def functions_assuming(self, role: Any) -> list[Any]:
        return [f for f in self.of_type(t.LAMBDA_FUNCTION) if self.role_of(f) is role]

    # -- Lambda@Edge ---------------------------------------------------------------------------

    def edge_uses(self) -> dict[str, EdgeUse]:
        """Function URN -> how CloudFront uses it: every function a distribution associates, plus
        every function whose role trusts edgelambda.amazonaws.com (event types unknown then)."""
        if self._edge is None:
            uses: dict[str, EdgeUse] = {}
            for distribution in self.of_type(t.CLOUDFRONT_DISTRIBUTION):
                self._add_associations(uses, distribution)
            for function in self.of_type(t.LAMBDA_FUNCTION):
                if function.urn not in uses and self._trusts_edge(function):
                    uses[function.urn] = EdgeUse(function)
            self._edge = uses
        return self._edge

    def _add_associations(self, uses: dict[str, EdgeUse], distribution: Any) -> None:
        def use_of(function: Any) -> EdgeUse:
            use = uses.setdefault(function.urn, EdgeUse(function))
            if distribution not in use.distributions:
                use.distributions.append(distribution)
            return use

        for prop, association in cache_behavior_associations(distribution):
            arn = get(association, "lambdaArn")
            for function in self._functions_for_arn(distribution, prop, arn):
                use = use_of(function)
                event = get(association, "eventType")
                if isinstance(event, str):
                    use.event_types.add(event)
                use.association_arns.append(arn)
        # Associations unknown in preview: the property dependencies still name the functions.
        for prop in CACHE_BEHAVIOR_PROPS:
            for function in self.dependencies(distribution, prop, t.LAMBDA_FUNCTION):
                use_of(function)

    def _trusts_edge(self, function: Any) -> bool:
        role = self.role_of(function)
        trusted = trusted_services(get(role.props, "assumeRolePolicy")) if role is not None else set()
        return not is_unknown(trusted) and EDGE_PRINCIPAL in trusted

    def is_edge_function(self, function: Any) -> bool:
        return function.urn in self.edge_uses()

    def _functions_for_arn(self, distribution: Any, prop: str, arn: Any) -> list[Any]:
        functions = self.of_type(t.LAMBDA_FUNCTION)
        if isinstance(arn, str):
            matches = [f for f in functions if _arn_names_function(arn, f)]
            if matches:
                return matches
        return self.dependencies(distribution, prop, t.LAMBDA_FUNCTION)

    # -- Regional backends ---------------------------------------------------------------------

    def backends(self) -> list[Backend]:
        """One Backend per RegionalBackend component; without components, one per region that has
        a (non-edge) Lambda function, grouping that region's functions and entries."""
        components = self.of_type(t.REGIONAL_BACKEND_COMPONENT)
        if components:
            return [self._backend_of_component(c) for c in components]
        by_region: dict[Any, list[Any]] = defaultdict(list)
        for resource in self.of_type(t.LAMBDA_FUNCTION, *t.ENTRY_TYPES):
            if resource.resource_type == t.LAMBDA_FUNCTION and self.is_edge_function(resource):
                continue
            by_region[region_of(resource)].append(resource)
        return [self._backend(region, members) for region, members in by_region.items()]

    def _backend_of_component(self, component: Any) -> Backend:
        members = [r for r in self.resources if _is_custom(r) and any(a is component for a in self.ancestors(r))]
        functions = [r for r in members if r.resource_type == t.LAMBDA_FUNCTION]
        regions = [region_of(f) for f in functions] or [region_of(r) for r in members]
        region = regions[0] if regions else None
        backend = self._backend(region, members)
        backend.component = component
        return backend

    def _backend(self, region: Any, members: list[Any]) -> Backend:
        functions = [r for r in members if r.resource_type == t.LAMBDA_FUNCTION and not self.is_edge_function(r)]
        entries = [r for r in members if r.resource_type in t.ENTRY_TYPES]
        return Backend(region=region, resources=members, functions=functions, entries=entries)

    def serving_backends(self) -> dict[Any, list[Backend]]:
        """Region -> backends there that have both an API function and an entry in front of it."""
        result: dict[Any, list[Backend]] = defaultdict(list)
        for backend in self.backends():
            if backend.functions and backend.entries:
                result[backend.region].append(backend)
        return dict(result)

    def backend_regions(self) -> list[str]:
        return sorted(r for r in self.serving_backends() if isinstance(r, str))

    def home_region(self) -> Optional[str]:
        """Where the global table lives: the stack's home region as the resources show it."""
        for table in self.of_type(t.DYNAMODB_TABLE):
            region = region_of(table)
            if isinstance(region, str):
                return region
        return None


def cache_behavior_associations(distribution: Any) -> Iterator[tuple[str, Any]]:
    """(prop, lambdaFunctionAssociation) for the default and every ordered cache behavior."""
    for association in elements(distribution.props, "defaultCacheBehavior", "lambdaFunctionAssociations"):
        yield "defaultCacheBehavior", association
    for behavior in elements(distribution.props, "orderedCacheBehaviors"):
        for association in elements(behavior, "lambdaFunctionAssociations"):
            yield "orderedCacheBehaviors", association


def _arn_names_function(arn: str, function: Any) -> bool:
    unqualified = get(function.props, "arn")
    qualified = get(function.props, "qualifiedArn")
    if isinstance(qualified, str) and arn == qualified:
        return True
    return isinstance(unqualified, str) and (arn == unqualified or arn.startswith(unqualified + ":"))


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a == b


def _is_custom(resource: Any) -> bool:
    return resource.resource_type.startswith("aws:")
