"""What `pulumi up` would do to a deployed stack after a change, replayed against AWS's uniqueness rules.

Both configs run through the program under mocks. Resources are matched by URN, then by alias (the
first alias found in the old state wins, as in the engine's step generator). Each match is `same`,
`update` or `replace`, decided by the provider's own rules (FORCE_NEW below); unmatched old ones are
deleted. The engine's order is then replayed: in registration order, creates, updates and
replacements (create-before-delete unless `deleteBeforeReplace`), and at the end the deletes
(dependents first). At every step each AWS-unique name may be held as AWS allows, or the step is a clash.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from offline.engine.mocks import mock_outputs
from offline.engine.run import CapturedResource, ProgramRun, run_program

# Properties whose change makes the provider replace the resource (inputs in the engine's camelCase).
# Source: terraform-provider-aws, which pulumi-aws 7.x bridges; each entry is a `ForceNew: true` in
# the resource's schema there (internal/service/<service>/<resource>.go). A type not listed has no
# replace-triggering input this program sets, except `name` where the program names it explicitly.
FORCE_NEW: dict[str, frozenset[str]] = {
    # route53/record.go: name and zone_id; type and set_identifier change in one atomic
    # DELETE+CREATE change batch (resourceRecordUpdate), which is an update.
    "aws:route53/record:Record": frozenset({"name", "zoneId"}),
    # route53/health_check.go: type, request_interval, measure_latency, reference_name.
    "aws:route53/healthCheck:HealthCheck": frozenset({"type", "requestInterval", "measureLatency", "referenceName"}),
    # acm/certificate.go (domain_name, subject_alternative_names, validation_method via CustomizeDiff),
    # acm/certificate_validation.go (certificate_arn, validation_record_fqdns).
    "aws:acm/certificate:Certificate": frozenset({"domainName", "subjectAlternativeNames", "keyAlgorithm"}),
    "aws:acm/certificateValidation:CertificateValidation": frozenset({"certificateArn", "validationRecordFqdns"}),
    # apigatewayv2: domain_name.go, api.go (protocol_type), stage.go (api_id, name),
    # integration.go (api_id, integration_type), route.go (api_id), api_mapping.go (api_id? no: domain_name).
    "aws:apigatewayv2/domainName:DomainName": frozenset({"domainName"}),
    "aws:apigatewayv2/api:Api": frozenset({"protocolType"}),
    "aws:apigatewayv2/stage:Stage": frozenset({"apiId", "name"}),
    "aws:apigatewayv2/integration:Integration": frozenset({"apiId", "integrationType"}),
    "aws:apigatewayv2/route:Route": frozenset({"apiId"}),
    "aws:apigatewayv2/apiMapping:ApiMapping": frozenset({"domainName"}),
    # lambda/function.go (function_name, package_type), lambda/permission.go (every argument).
    "aws:lambda/function:Function": frozenset({"name", "packageType"}),
    "aws:lambda/permission:Permission": frozenset(
        {
            "action",
            "function",
            "principal",
            "sourceArn",
            "statementId",
            "qualifier",
            "sourceAccount",
            "eventSourceToken",
        }
    ),
    # iam/role.go (name), iam/role_policy.go (name, role).
    "aws:iam/role:Role": frozenset({"name"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "role"}),
    # logs/group.go, ssm/parameter.go, cloudwatch/metric_alarm.go (alarm_name is updatable: not listed).
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"name"}),
    "aws:ssm/parameter:Parameter": frozenset({"name"}),
    # ec2/vpc_.go (cidr_block), vpc_subnet.go, vpc_route_table.go, vpc_route_table_association.go,
    # vpc_security_group.go (name, description, vpc_id).
    "aws:ec2/vpc:Vpc": frozenset({"cidrBlock", "instanceTenancy"}),
    "aws:ec2/subnet:Subnet": frozenset({"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"}),
    "aws:ec2/routeTable:RouteTable": frozenset({"vpcId"}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": frozenset({"subnetId", "gatewayId"}),
    "aws:ec2/securityGroup:SecurityGroup": frozenset({"name", "description", "vpcId"}),
    # elbv2/load_balancer.go (name, internal, load_balancer_type), target_group.go (name, port,
    # protocol, vpc_id, target_type), target_group_attachment.go (all), listener.go (load_balancer_arn).
    "aws:lb/loadBalancer:LoadBalancer": frozenset({"name", "internal", "loadBalancerType"}),
    "aws:lb/targetGroup:TargetGroup": frozenset({"name", "port", "protocol", "vpcId", "targetType"}),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": frozenset({"targetGroupArn", "targetId", "port"}),
    "aws:lb/listener:Listener": frozenset({"loadBalancerArn"}),
    # listener_rule.go (listener_arn); vpc/security_group_ingress_rule.go (security_group_id: RequiresReplace).
    "aws:lb/listenerRule:ListenerRule": frozenset({"listenerArn"}),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": frozenset({"securityGroupId"}),
    # globalaccelerator/listener.go (accelerator_arn), endpoint_group.go (listener_arn, endpoint_group_region).
    "aws:globalaccelerator/listener:Listener": frozenset({"acceleratorArn"}),
    "aws:globalaccelerator/endpointGroup:EndpointGroup": frozenset({"listenerArn", "endpointGroupRegion"}),
    # dynamodb/table.go: name, hash_key, range_key (attribute changes go with a key change).
    "aws:dynamodb/table:Table": frozenset({"name", "hashKey", "rangeKey"}),
}

TABLE = "aws:dynamodb/table:Table"
# The tag by which releases before the exposure change (issue 18) said an entry's origin lock was pending:
# their stacks (snapshots, exports) may still carry it.
ORIGIN_LOCK_TAG, PENDING = "origin-lock", "pending"
RECORD = "aws:route53/record:Record"
PROVIDER_PREFIX = "pulumi:providers:"
ROUTING_POLICIES = (
    "weightedRoutingPolicies",
    "latencyRoutingPolicies",
    "failoverRoutingPolicies",
    "geolocationRoutingPolicies",
    "geoproximityRoutingPolicies",
    "cidrRoutingPolicy",
    "multivalueAnswerRoutingPolicy",
)
# Resources whose explicit `name` input AWS keeps unique, and where: per region or per account.
NAMED_TYPES = {
    "aws:cloudwatch/logGroup:LogGroup": "region",
    "aws:ssm/parameter:Parameter": "region",
    "aws:lambda/function:Function": "region",
    "aws:lb/loadBalancer:LoadBalancer": "region",
    "aws:lb/targetGroup:TargetGroup": "region",
    "aws:iam/role:Role": "account",
    "aws:sns/topic:Topic": "region",
}


# ---------------------------------------------------------------------------------------------
# Names AWS keeps unique.


@dataclass(frozen=True)
class Claim:
    """One AWS-unique name a resource holds while it exists."""

    kind: str  # "dns", "cloudfront-alias", "api-domain", "name:<type>", "table"
    key: tuple
    holder: str  # URN
    record_type: str = ""
    policy: str = ""  # Route 53 routing policy ("simple", "weighted", "latency", ...)
    set_identifier: str = ""

    def describe(self) -> str:
        if self.kind == "dns":
            zone, name = self.key
            extra = f" {self.policy}" + (f" set {self.set_identifier}" if self.set_identifier else "")
            return f"Route 53 {self.record_type} {name}{extra} (zone {zone})"
        return f"{self.kind} {' '.join(str(k) for k in self.key)}"


def routing_policy(inputs: dict) -> str:
    for key in ROUTING_POLICIES:
        if inputs.get(key):
            return key.removesuffix("RoutingPolicies").removesuffix("RoutingPolicy")
    return "simple"


def claims_of(resource: CapturedResource) -> list[Claim]:
    inputs, urn = resource.inputs, resource.urn
    if resource.type == RECORD:
        if inputs.get("allowOverwrite"):
            return []  # UPSERT: AWS lets it take the name over (the ACM validation CNAME)
        name = str(inputs.get("name", "")).rstrip(".").lower()
        return [
            Claim(
                "dns",
                (inputs.get("zoneId"), name),
                urn,
                record_type=str(inputs.get("type")),
                policy=routing_policy(inputs),
                set_identifier=str(inputs.get("setIdentifier") or ""),
            )
        ]
    if resource.type == "aws:cloudfront/distribution:Distribution":
        return [Claim("cloudfront-alias", (alias.lower(),), urn) for alias in inputs.get("aliases") or []]
    if resource.type == "aws:apigatewayv2/domainName:DomainName":
        return [Claim("api-domain", (resource.region, str(inputs.get("domainName")).lower()), urn)]
    if resource.type == TABLE and inputs.get("name"):
        regions = [resource.region] + [r.get("regionName") for r in inputs.get("replicas") or []]
        return [Claim("table", (region, inputs["name"]), urn) for region in regions]
    scope = NAMED_TYPES.get(resource.type)
    if scope and inputs.get("name"):
        where = resource.region if scope == "region" else "account"
        return [Claim(f"name:{resource.type}", (where, inputs["name"]), urn)]
    return []


def compatible(held: Claim, new: Claim) -> bool:
    """Whether AWS lets `new` exist while `held` does (both name the same key)."""
    if held.kind != "dns":
        return False
    if held.record_type != new.record_type:
        return "CNAME" not in (held.record_type, new.record_type)
    # One name and type: only records of one routing policy (not simple), each with its own set identifier.
    return (
        held.policy == new.policy != "simple"
        and bool(held.set_identifier)
        and held.set_identifier != new.set_identifier
    )


class NameRegistry:
    """The names held at one moment of an update."""

    def __init__(self) -> None:
        self._held: dict[tuple, list[Claim]] = {}

    def take(self, claims: Iterable[Claim], step: Step) -> list[str]:
        clashes = []
        for claim in claims:
            slot = self._held.setdefault((claim.kind, claim.key), [])
            for other in slot:
                if other.holder != claim.holder and not compatible(other, claim):
                    clashes.append(
                        f"{step.verb} {short(claim.holder)} claims {claim.describe()} while "
                        f"{short(other.holder)} still holds {other.describe()}"
                    )
            slot.append(claim)
        return clashes

    def release(self, claims: Iterable[Claim]) -> None:
        for claim in claims:
            slot = self._held.get((claim.kind, claim.key), [])
            if claim in slot:
                slot.remove(claim)

    def holds(self, kind: str, key: tuple) -> bool:
        return bool(self._held.get((kind, key)))


# ---------------------------------------------------------------------------------------------
# Steps.


def short(urn: str) -> str:
    """`type::name` of a URN, for messages."""
    parts = urn.split("::")
    return f"{parts[2].split('$')[-1]}::{parts[3]}" if len(parts) >= 4 else urn


def normalized(value: Any) -> Any:
    """Inputs comparable across runs: assets become the hash of what they contain."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalized(v) for v in value]
    if hasattr(value, "assets"):
        return {"__archive": {name: normalized(asset) for name, asset in sorted(value.assets.items())}}
    if isinstance(getattr(value, "path", None), str):
        return {"__asset": _file_digest(value.path)}
    if isinstance(getattr(value, "text", None), str):
        return {"__asset": hashlib.sha256(value.text.encode()).hexdigest()}
    return value


@functools.lru_cache(maxsize=4096)
def _file_digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@dataclass
class Step:
    op: str  # "create" | "update" | "replace" | "delete" | "same"
    urn: str
    type: str
    region: str
    new: Optional[CapturedResource] = None
    old: Optional[CapturedResource] = None
    changed: tuple[str, ...] = ()
    forced_by: tuple[str, ...] = ()
    delete_before_replace: bool = False

    @property
    def after(self) -> CapturedResource:
        """What a create, update or replacement leaves (every step but a delete has one)."""
        if self.new is None:
            raise ValueError(f"{self.op} of {self.urn} has no new state")
        return self.new

    @property
    def before(self) -> CapturedResource:
        """What an update, replacement or delete starts from (every step but a create has one)."""
        if self.old is None:
            raise ValueError(f"{self.op} of {self.urn} has no old state")
        return self.old

    @property
    def verb(self) -> str:
        return {"create": "creating", "update": "updating", "replace": "replacing", "delete": "deleting"}.get(
            self.op, self.op
        )

    def describe(self) -> str:
        text = f"{self.op:8s} {short(self.urn)}"
        if self.op == "replace":
            text += (
                f"  (forced by {', '.join(self.forced_by)}"
                + (", delete first" if self.delete_before_replace else "")
                + ")"
            )
        elif self.op == "update":
            text += f"  ({', '.join(self.changed)})" if self.changed else ""
        if self.old is not None and self.new is not None and self.old.urn != self.new.urn:
            text += f"  (was {short(self.old.urn)}, kept by an alias)"
        return text


@dataclass
class Event:
    """One AWS operation of the replayed update, in the engine's order."""

    op: str  # "create" | "update" | "delete"
    step: Step
    resource: CapturedResource  # what is created, what it is updated to, or what is deleted
    pending: bool = False  # deleting a resource a failed update left pending deletion

    def describe(self) -> str:
        return f"{self.op:8s} {short(self.resource.urn)}" + (" (pending delete)" if self.pending else "")


@dataclass
class UpdatePlan:
    steps: list[Step]
    clashes: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # the AWS operations in the replayed order
    generations: dict[str, int] = field(default_factory=dict)  # URN -> incarnation of its resource after the update
    new_run: Optional[ProgramRun] = None  # the new run as the update leaves it (replaced resources' new ids)

    def of(self, op: str) -> list[Step]:
        return [s for s in self.steps if s.op == op]

    @property
    def problems(self) -> list[str]:
        return self.clashes + self.hazards


def provider_urn(reference: Optional[str]) -> str:
    return (reference or "").rsplit("::", 1)[0]


def diff(old: CapturedResource, new: CapturedResource) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(changed inputs, the ones among them that force a replacement; "provider" when that moved)."""
    before, after = normalized(old.inputs), normalized(new.inputs)
    ignored = set(new.ignore_changes)
    changed = tuple(sorted(k for k in set(before) | set(after) if k not in ignored and before.get(k) != after.get(k)))
    forced = [k for k in changed if k in FORCE_NEW.get(new.type, ())]
    if old.custom and provider_urn(old.provider) != provider_urn(new.provider):
        forced.append("provider")
        changed = changed + ("provider",)
    return changed, tuple(forced)


def match(old_run: ProgramRun, new_run: ProgramRun) -> tuple[list[Step], list[str]]:
    olds = {r.urn: r for r in old_run.resources}
    taken: dict[str, str] = {}
    steps, errors = [], []
    for new in new_run.resources:
        old = None
        for candidate in (new.urn, *new.aliases):
            if candidate in olds:
                if candidate in taken:
                    errors.append(f"{short(new.urn)} and {short(taken[candidate])} both alias {short(candidate)}")
                old = olds[candidate]
                taken[candidate] = new.urn
                break
        if old is None:
            steps.append(Step("create", new.urn, new.type, new.region, new=new))
            continue
        if old.type != new.type:
            errors.append(f"{short(new.urn)} aliases {short(old.urn)} of another type")
        changed, forced = diff(old, new)
        op = "replace" if forced else ("update" if changed or old.urn != new.urn else "same")
        steps.append(
            Step(
                op,
                new.urn,
                new.type,
                new.region,
                new=new,
                old=old,
                changed=changed,
                forced_by=forced,
                delete_before_replace=new.delete_before_replace,
            )
        )
    for old in reversed(old_run.resources):  # dependents were registered after what they depend on
        if old.urn not in taken:
            steps.append(Step("delete", old.urn, old.type, old.region, old=old))
    return steps, errors


def replay_events(old_run: ProgramRun, steps: list[Step]) -> list[Event]:
    """The engine's order: what a failed update left pending deletion first (the engine completes those
    deletions before anything else), then in registration order creates, updates and replacements
    (create-before-delete unless `deleteBeforeReplace`), and at the end the deletes, dependents first."""
    events = [
        Event("delete", Step("delete", old.urn, old.type, old.region, old=old), old, pending=True)
        for old in reversed(pending_deletes(old_run))
    ]
    deferred = []
    for step in steps:
        if step.op == "create":
            events.append(Event("create", step, step.after))
        elif step.op == "update":
            events.append(Event("update", step, step.after))
        elif step.op == "replace":
            if step.delete_before_replace:
                events += [Event("delete", step, step.before), Event("create", step, step.after)]
            else:
                events.append(Event("create", step, step.after))
                deferred.append(step)
    events += [Event("delete", step, step.before) for step in reversed(deferred)]
    events += [Event("delete", step, step.before) for step in steps if step.op == "delete"]
    return events


def plan_update(old_run: ProgramRun, new_run: ProgramRun, identity: bool = True) -> UpdatePlan:
    """The update from `old_run` (a run, a snapshot or what a failed update left) to `new_run`, replayed.

    `identity`: replaced resources get new ids and ARNs, so what refers to them changes too (see
    `with_identities`); off, the new run is taken as the mocks made it.
    """
    generations: dict[str, int] = {}
    if identity:
        new_run, generations = with_identities(old_run, new_run)
    steps, errors = match(old_run, new_run)
    plan = UpdatePlan(steps=steps, clashes=list(errors), generations=generations, new_run=new_run)
    plan.events = replay_events(old_run, steps)
    plan.clashes.extend(check_events(plan, old_run, new_run))
    plan.hazards.extend(hazards(plan, old_run, new_run))
    plan.hazards.extend(name_hazards(old_run, new_run))
    plan.hazards.extend(cold_start_hazards(plan, old_run, new_run))
    pending = sorted(short(s.urn) for s in plan.steps if s.new is not None and _lock_pending(s.new))
    if pending:
        plan.notices.append(
            f"the entries accept CloudFront's origin secret but still answer everyone ({', '.join(pending)}): "
            "the old door serves until this update's deletes; run pulumi up once more to lock them"
        )
    plan.notices.extend(
        f"{short(s.urn)} stays in AWS (skip_destroy; Lambda@Edge replicas go hours later): "
        "delete it by hand once CloudFront lets go of it"
        for s in plan.of("delete")
        if s.before.inputs.get("skipDestroy")
    )
    return plan


def check_events(plan: UpdatePlan, old_run: ProgramRun, new_run: ProgramRun) -> list[str]:
    """Every AWS-unique name and association rule at every operation of `plan.events`."""
    names = NameRegistry()
    resolver = Resolver(old_run, new_run)
    replaced = {s.urn for s in plan.steps if s.op == "replace"} | {r.urn for r in pending_deletes(old_run)}
    associations = AssociationRegistry(resolver, replaced)
    for old in [*old_run.resources, *pending_deletes(old_run)]:
        names.take(claims_of(old), Step("same", old.urn, old.type, old.region))
        associations.take(old, "old", "holding")
    clashes: list[str] = []
    dark: dict[tuple, str] = {}  # DNS names that have no record for a while, and who took it away

    def take(resource: CapturedResource, step: Step) -> None:
        claims = claims_of(resource)
        clashes.extend(names.take(claims, step))
        clashes.extend(associations.take(resource, "new", step.verb))
        for claim in claims:
            if claim.kind == "dns" and claim.key in dark:
                plan.notices.append(
                    f"{claim.key[1]} has no {claim.record_type} record from {dark.pop(claim.key)} "
                    f"going until {short(step.urn)} is created (a short DNS gap)"
                )

    for event in plan.events:
        step, resource = event.step, event.resource
        if event.op == "create":
            take(resource, step)
        elif event.op == "update":
            # Updates are in place: Route 53 swaps a record set in one atomic change batch.
            names.release(claims_of(step.before))
            associations.release(step.before)
            take(resource, step)
        else:
            claims = claims_of(resource)
            names.release(claims)
            associations.release(resource)
            for claim in claims:
                if claim.kind == "dns" and not names.holds(claim.kind, claim.key):
                    dark[claim.key] = short(step.urn)
    return clashes


def _lock_pending(resource: CapturedResource) -> bool:
    tags = resource.inputs.get("tags")
    return isinstance(tags, dict) and tags.get(ORIGIN_LOCK_TAG) == PENDING


# ---------------------------------------------------------------------------------------------
# Hazards: what AWS refuses, or what loses data, or what needs a person.


def hazards(plan: UpdatePlan, old_run: ProgramRun, new_run: ProgramRun) -> list[str]:
    found = []
    for step in plan.steps:
        old = step.old
        if step.type == WEB_ACL and step.op == "update" and old is not None:
            before, after = _exempted_secret(old.inputs), _exempted_secret(step.after.inputs)
            if before is not None and after is not None and before != after:
                found.append(
                    f"{short(step.urn)}: its rate rule skips the requests that carry CloudFront's origin secret, "
                    "and this update rotates the secret: until the distribution sends the new value (the minutes "
                    "its update takes), CloudFront's requests count against this regional limit by edge address "
                    "and a busy edge location may be blocked; rotate in a quiet hour, or raise waf.rateLimit for it"
                )
        if step.type == TABLE:
            if step.op in ("replace", "delete"):
                found.append(
                    f"the table {short(step.urn)} would be {step.op}d ({', '.join(step.forced_by) or 'gone from the program'}): "
                    "every item in every region would be lost"
                )
            if step.op == "create" and any(r.type == TABLE for r in old_run.resources):
                found.append(f"a new table {short(step.urn)} would be created beside the deployed one")
            if old is not None and step.new is not None:
                found.extend(_replica_hazards(old, step.new))
        if old is None or step.op not in ("replace", "delete"):
            continue
        if old.protect:
            found.append(f"{short(old.urn)} is protected: the engine refuses to {step.op} it")
        if old.inputs.get("enableDeletionProtection"):
            # A replacement deletes the old one too, after creating the new one (forced by: step.forced_by).
            what = (
                "delete it"
                if step.op == "delete"
                else f"delete the old one after replacing it ({', '.join(step.forced_by)})"
            )
            hint = (
                " (the doors change the ALB's scheme, docs/security.md; to see what is really deployed, "
                "diff from it: python -m offline.diff --state <pulumi stack export>)"
                if "internal" in step.forced_by
                else ""
            )
            found.append(
                f"{short(old.urn)} has deletion protection on: AWS refuses to {what} until it is turned "
                f"off: before this change, set deletionProtection: false and run pulumi up (or aws elbv2 "
                f"modify-load-balancer-attributes --attributes Key=deletion_protection.enabled,Value=false on "
                f"it), then make this change{hint}"
            )
        if step.type == "aws:ec2/vpc:Vpc" and step.op == "delete" and _had_global_accelerator(old_run):
            found.append(
                f"{short(old.urn)}: Global Accelerator created a security group named GlobalAccelerator in "
                "this VPC (client IP preservation); AWS keeps the VPC until it is deleted by hand"
            )
    return found


WEB_ACL = "aws:wafv2/webAcl:WebAcl"


def _client_names(run: ProgramRun) -> dict[str, set]:
    """The names clients use (the main name: a weighted set, one member per door) -> the zones holding them."""
    names: dict[str, set] = {}
    for record in run.of_type(RECORD):
        if routing_policy(record.inputs) == "weighted":
            name = str(record.inputs.get("name", "")).rstrip(".").lower()
            names.setdefault(name, set()).add(record.inputs.get("zoneId"))
    return names


def name_hazards(old_run: ProgramRun, new_run: ProgramRun) -> list[str]:
    """A domain rename or a zone move: the old name stops answering, or the new zone must answer first."""
    before, after = _client_names(old_run), _client_names(new_run)
    found = []
    for name, zones in sorted(before.items()):
        if name not in after:
            found.append(
                f"{name} stops answering: its records are deleted at the end of this update, and clients keep "
                "its answers for up to their TTL (60 s) and resolvers' negative caching after that (up to the "
                "zone's SOA TTL); move clients to the new name first (both can answer only from two stacks), "
                "or keep domain as it is"
            )
        elif after[name] != zones:
            found.append(
                f"{name} moves to hosted zone(s) {sorted(map(str, after[name]))} from {sorted(map(str, zones))}: "
                "the name answers from the new zone only once the parent zone delegates to it (its NS records); "
                "delegate first, or keep domain.zone as it is"
            )
    return found


def _exempted_secret(inputs: dict) -> Any:
    """The origin secret a regional web ACL's rate rule exempts (components/security/web_acl.py), or None."""
    for rule in inputs.get("rules") or []:
        statement = ((rule.get("statement") or {}).get("rateBasedStatement") or {}).get("scopeDownStatement") or {}
        skipped = (statement.get("notStatement") or {}).get("statement") or {}
        # NOT(secret), or NOT(OR(secret, the health checks' GET)) beside a direct door's checkers.
        for member in (skipped.get("orStatement") or {}).get("statements") or [skipped]:
            match = member.get("byteMatchStatement") or {}
            if (match.get("fieldToMatch") or {}).get("singleHeader") and match.get("searchString") is not None:
                return match["searchString"]
    return None


def _replica_hazards(old: CapturedResource, new: CapturedResource) -> list[str]:
    before = {r.get("regionName"): r for r in old.inputs.get("replicas") or []}
    after = {r.get("regionName") for r in new.inputs.get("replicas") or []}
    found = []
    if set(before) != after and any(r.get("consistencyMode") == "STRONG" for r in before.values()):
        found.append(
            f"the table is strong (MRSC): its regions are fixed when it is created, so replicas "
            f"{sorted(before)} cannot become {sorted(after)}; a new set of regions needs a new stack"
        )
    for region, replica in before.items():
        if region not in after and replica.get("deletionProtectionEnabled"):
            found.append(
                f"the table's replica in {region} has deletion protection on: AWS refuses to remove it "
                "(set deletionProtection: false and run pulumi up before removing the region)"
            )
    return found


FUNCTION = "aws:lambda/function:Function"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
# Lambda refuses SnapStart with provisioned concurrency (AWS Lambda developer guide, "Improving startup performance
# with Lambda SnapStart", supported features and limitations: https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html).
SNAPSTART_WITHOUT_PROVISIONED = (
    "Lambda refuses SnapStart together with provisioned concurrency (Lambda developer guide, SnapStart: supported "
    "features and limitations)"
)


def _snap_start(resource: Optional[CapturedResource]) -> bool:
    return resource is not None and bool((resource.inputs.get("snapStart") or {}).get("applyOn"))


def _provisioned(run: ProgramRun, region: str, function: CapturedResource) -> list[CapturedResource]:
    """The provisioned concurrency configs `run` has on (an alias of) `function`, by the function's name."""
    names = {function.state.get("name"), function.inputs.get("name"), function.id} - {None, ""}
    return [c for c in run.of_type(PROVISIONED) if c.region == region and c.inputs.get("functionName") in names]


def cold_start_hazards(plan: UpdatePlan, old_run: ProgramRun, new_run: ProgramRun) -> list[str]:
    """SnapStart and provisioned concurrency swapped in one update: the engine's order puts both on one alias.

    Pulumi deletes a resource gone from the program only at the end of the update, and the function (with its
    new version) is updated before the alias and what hangs on it; so, in one update:
    - provisioned concurrency -> SnapStart: the function publishes a SnapStart version and the alias moves onto it
      while the old ProvisionedConcurrencyConfig is still on the alias;
    - SnapStart -> provisioned concurrency: the new ProvisionedConcurrencyConfig is created on an alias that may
      still be on a SnapStart version; with canary or linear it always is (CodeDeploy owns the alias: pulumi up
      never moves it, ignore_changes), until ops.release moves it to a version published without SnapStart.
    """
    found = []
    for step in plan.steps:
        if step.type != FUNCTION or step.old is None or step.new is None:
            continue
        fn = short(step.urn)
        held = _provisioned(old_run, step.region, step.old)
        if _snap_start(step.new) and not _snap_start(step.old) and held:
            found.append(
                f"{fn}: SnapStart turns on while its live alias has provisioned concurrency "
                f"({', '.join(short(c.urn) for c in held)}); Pulumi deletes the ProvisionedConcurrencyConfig only "
                "at the end of the update, after the function has published a SnapStart version and the alias has "
                f"moved onto it: {SNAPSTART_WITHOUT_PROVISIONED}. Do it in two updates: remove "
                "provisionedConcurrency, pulumi up; then set snapStart: true, pulumi up"
            )
        created = [] if held else _provisioned(new_run, step.region, step.new)
        if _snap_start(step.old) and not _snap_start(step.new) and created:
            found.append(
                f"{fn}: provisioned concurrency comes on its live alias "
                f"({', '.join(short(c.urn) for c in created)}) while the old state has SnapStart: the "
                "ProvisionedConcurrencyConfig is created on an alias still on a SnapStart version (always so "
                "when CodeDeploy owns the alias, release canary or linear: pulumi up never moves it), and "
                f"{SNAPSTART_WITHOUT_PROVISIONED}. Do it in two updates: set snapStart: false, pulumi up (with "
                "canary or linear, then python -m ops.release --stack <stack> moves each region's alias to the "
                "version published without SnapStart); then set provisionedConcurrency, pulumi up"
            )
    return found


def _had_global_accelerator(run: ProgramRun) -> bool:
    return any(r.type == "aws:globalaccelerator/endpointGroup:EndpointGroup" for r in run.resources)


def _untracked(tags: dict[str, str]) -> dict[str, str]:
    """A table's tags as a release before the program's own tags left them (provider tags and name only)."""
    from components.stack.providers import MANAGED_BY_TAG, PROJECT_TAG, STACK_TAG

    return {k: v for k, v in tags.items() if k in (PROJECT_TAG, STACK_TAG, MANAGED_BY_TAG, "__name")}


def deployed_tables(run: ProgramRun) -> dict[str, dict[str, str]]:
    """What AWS's tagging API would list for the stack's table in each region once `run` is deployed."""
    tables: dict[str, dict[str, str]] = {}
    providers = {r.urn: r for r in run.resources if r.type.startswith(PROVIDER_PREFIX)}
    for table in run.of_type(TABLE):
        default_tags = {}
        provider = providers.get(provider_urn(table.provider))
        if provider is not None:
            configured = provider.inputs.get("defaultTags") or {}
            if isinstance(configured, str):  # provider inputs reach the engine as JSON text
                configured = json.loads(configured)
            default_tags = dict(configured.get("tags") or {})
        tags = {**default_tags, **(table.inputs.get("tags") or {}), "__name": table.inputs.get("name", "")}
        for region in [table.region] + [r.get("regionName") for r in table.inputs.get("replicas") or []]:
            tables[region] = tags
    return tables


def plan_transition(
    stack: str, before: dict, after: dict, created_before_release: bool = False
) -> tuple[UpdatePlan, ProgramRun, ProgramRun]:
    """Run the program for the deployed config `before` and the changed config `after`, and replay the update.

    Config values are full or short keys, as `offline.stack_config` takes them. The second run sees
    the first run's table as deployed, so the program's own home-region guard runs as it would.
    `created_before_release`: the deployed stack was created by a release that recorded nothing on its
    table but the provider's project and stack tags (its ALBs are internet-facing, whatever its doors).
    """
    earlier = None
    if created_before_release:
        probe = run_program(stack, values=before)
        earlier = {region: _untracked(tags) for region, tags in deployed_tables(probe).items()}
    old_run = run_program(stack, values=before, deployed_tables=earlier)
    new_run = run_program(stack, values=after, deployed_tables=deployed_tables(old_run))
    return plan_update(old_run, new_run), old_run, new_run


# ---------------------------------------------------------------------------------------------
# Snapshots: a run kept as JSON, for stacks deployed by an earlier version of the program.

SNAPSHOT_FIELDS = (
    "urn",
    "type",
    "name",
    "id",
    "region",
    "custom",
    "parent",
    "provider",
    "dependencies",
    "aliases",
    "delete_before_replace",
    "protect",
    "retain_on_delete",
    "ignore_changes",
)


def snapshot_of(run: ProgramRun) -> dict:
    return {
        "stack": run.stack,
        "resources": [
            {**{name: getattr(r, name, None) for name in SNAPSHOT_FIELDS}, "inputs": normalized(r.inputs)}
            for r in run.resources
        ],
    }


def run_from_snapshot(data: dict) -> ProgramRun:
    resources = []
    for item in data["resources"]:
        fields = {name: item[name] for name in SNAPSHOT_FIELDS if item.get(name) is not None}
        fields.setdefault("parent", None)
        fields.setdefault("provider", None)
        state = {}
        if fields.get("custom") and not fields["type"].startswith(PROVIDER_PREFIX):
            # What the mocks answer for it: a snapshot keeps inputs and ids, not outputs (ARNs).
            _, state = mock_outputs(fields["type"], fields["name"], fields.get("region", ""), item["inputs"])
        resources.append(CapturedResource(inputs=item["inputs"], state=state, **fields))
    return ProgramRun(stack=data["stack"], resources=resources, outputs={})


# ---------------------------------------------------------------------------------------------
# Identity: a replaced resource is a new one to AWS, with a new id, ARN and DNS name.


def pending_deletes(run: ProgramRun) -> list[CapturedResource]:
    """What a failed update left in the state pending deletion (the old halves of replacements)."""
    return list(getattr(run, "pending_delete", None) or [])


def _generations(run: ProgramRun) -> dict[str, int]:
    return dict(getattr(run, "generations", None) or {})


def _has_identity(resource: CapturedResource) -> bool:
    return resource.custom and not resource.type.startswith(PROVIDER_PREFIX)


def identity_strings(resource: CapturedResource) -> set[str]:
    """The strings by which other resources refer to `resource`: its id and ARN."""
    found = {resource.id} if resource.id else set()
    arn = (resource.state or {}).get("arn")
    if isinstance(arn, str):
        found.add(arn)
    return found


def _pairs(before: Any, after: Any, given: Any, out: dict[str, str]) -> None:
    """Old -> new strings between two states of one resource, leaving out what its inputs gave."""
    if isinstance(before, str) and isinstance(after, str):
        if before != after and before != given and len(before) >= 6:
            out[before] = after
    elif isinstance(before, dict) and isinstance(after, dict):
        for key in before.keys() & after.keys():
            _pairs(before[key], after[key], given.get(key) if isinstance(given, dict) else None, out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            _pairs(b, a, given[index] if isinstance(given, list) and index < len(given) else None, out)


def _substitute(value: Any, pattern: re.Pattern, pairs: dict[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: pairs[m.group(0)], value)
    if isinstance(value, dict):
        return {k: _substitute(v, pattern, pairs) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, pattern, pairs) for v in value]
    if isinstance(value, tuple):
        return tuple(_substitute(v, pattern, pairs) for v in value)
    return value  # assets, numbers


def with_generations(run: ProgramRun, generations: dict[str, int]) -> ProgramRun:
    """`run` (as the mocks made it: every resource in its first incarnation) with the resources named in
    `generations` in that incarnation instead: new ids, ARNs and DNS names from the mocks, and every
    input elsewhere that carried the old ones (whole or within a longer string) rewritten."""
    pairs: dict[str, str] = {}
    for resource in run.resources:
        generation = generations.get(resource.urn, 0)
        if generation and _has_identity(resource):
            fresh_id, fresh_state = mock_outputs(
                resource.type, resource.name, resource.region, resource.inputs, generation
            )
            _pairs(resource.id, fresh_id, None, pairs)
            _pairs(resource.state, fresh_state, resource.inputs, pairs)
    if not pairs:
        return run
    pattern = re.compile("|".join(re.escape(old) for old in sorted(pairs, key=len, reverse=True)))
    resources = [
        dataclasses.replace(
            r,
            id=_substitute(r.id, pattern, pairs),
            inputs=_substitute(r.inputs, pattern, pairs),
            state=_substitute(r.state, pattern, pairs),
        )
        for r in run.resources
    ]
    return dataclasses.replace(run, resources=resources)


def with_identities(old_run: ProgramRun, new_run: ProgramRun) -> tuple[ProgramRun, dict[str, int]]:
    """The new run as the update would leave it, and each URN's incarnation (0: the first).

    A resource the engine replaces, or creates while an old resource holds the id the mocks gave it
    (deleted under another URN), is a new incarnation: the mocks give it another id and ARN, so every
    resource whose inputs refer to it changes, and is updated or replaced in turn (FORCE_NEW): ALB ->
    listener -> listener rule. Repeated until nothing more is replaced. A resource kept keeps the
    incarnation the deployed state has (`generations` of a `DeployedState`).
    """
    before = _generations(old_run)
    held = {r.id for r in [*old_run.resources, *pending_deletes(old_run)] if _has_identity(r)}
    # First each resource as the deployed state has it (a new run knows nothing of incarnations).
    generations = {
        s.urn: before[s.old.urn]
        for s in match(old_run, new_run)[0]
        if s.old is not None and s.new is not None and before.get(s.old.urn) and _has_identity(s.new)
    }
    current = with_generations(new_run, generations)
    for _ in range(len(new_run.resources) + 1):
        steps, _errors = match(old_run, current)
        wanted = dict(generations)
        for step in steps:
            if step.new is None or not _has_identity(step.new):
                continue
            base = before.get(step.old.urn, 0) if step.old is not None else 0
            if step.op == "replace":
                wanted[step.urn] = max(wanted.get(step.urn, 0), base + 1)
            elif step.op == "create":
                if step.urn not in wanted and step.new.id in held:
                    wanted[step.urn] = before.get(step.urn, 0) + 1
            elif base:
                wanted[step.urn] = max(wanted.get(step.urn, 0), base)
        if wanted == generations:
            break
        generations = wanted
        current = with_generations(new_run, generations)
    return current, generations


class Resolver:
    """Which resource an id or ARN in some input names, on either side of the update."""

    def __init__(self, old_run: ProgramRun, new_run: ProgramRun) -> None:
        self.old: dict[str, CapturedResource] = {}
        self.new: dict[str, CapturedResource] = {}
        for index, resources in (
            (self.old, [*old_run.resources, *pending_deletes(old_run)]),
            (self.new, new_run.resources),
        ):
            for r in resources:
                if not _has_identity(r):
                    continue
                names = identity_strings(r)
                if r.type == "aws:lambda/function:Function":
                    names |= {v for v in (r.inputs.get("name"), (r.state or {}).get("name")) if isinstance(v, str)}
                for name in names:
                    index.setdefault(name, r)

    def get(self, ref: Any, side: str = "new") -> Optional[CapturedResource]:
        if not isinstance(ref, str):
            return None
        first, second = (self.new, self.old) if side == "new" else (self.old, self.new)
        return first.get(ref) or second.get(ref)

    def canonical(self, ref: Any, side: str = "new") -> Any:
        """One name per resource (a function named by name or by ARN): its ARN, else `ref`."""
        found = self.get(ref, side)
        arn = (found.state or {}).get("arn") if found is not None else None
        if found is None or not isinstance(arn, str):
            return ref
        return arn if ref in identity_strings(found) | {found.inputs.get("name")} else ref

    def describe(self, ref: Any) -> str:
        """A referenced resource's name, and which side of a replacement it is on."""
        old, new = (
            self.old.get(ref) if isinstance(ref, str) else None,
            self.new.get(ref) if isinstance(ref, str) else None,
        )
        found = new or old
        if found is None:
            return str(ref)
        urns = {r.urn for r in (old, new) if r is not None}
        side = "" if (old is not None and new is not None) or len(urns) > 1 else (" (old)" if new is None else " (new)")
        others = {r.urn for r in (*self.old.values(), *self.new.values()) if r.urn == found.urn}
        return found.name + (side if others else "")


# ---------------------------------------------------------------------------------------------
# Associations AWS allows once: at every operation of the replay, each key is held by one resource
# (or, for a target group, by resources of one load balancer).

LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
PERMISSION = "aws:lambda/permission:Permission"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
TARGET_GROUP_ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"

# What `find` yields: (key, value). Two holders of one key clash unless both give the same value that
# is not None (None: the key is AWS-unique, whoever holds it).
Finder = Callable[[CapturedResource, Resolver, str], Iterable[tuple[tuple, Any]]]


@dataclass(frozen=True)
class AssociationRule:
    space: str  # holders of one key in one space meet, whatever their type
    type: str
    code: str  # the AWS error code
    find: Finder
    say: Callable[[tuple, Any, Resolver], str]  # what a holder does, for messages
    why: str


def _number(value: Any) -> Any:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return value


def _forwarded(actions: Any) -> list[str]:
    """Target groups a listener's or rule's actions forward to (plain or weighted forward)."""
    found = []
    for action in actions or []:
        if not isinstance(action, dict) or action.get("type") != "forward":
            continue
        if action.get("targetGroupArn"):
            found.append(action["targetGroupArn"])
        for group in (action.get("forward") or {}).get("targetGroups") or []:
            if group.get("arn"):
                found.append(group["arn"])
    return found


def _listener_groups(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    return [((group,), r.inputs.get("loadBalancerArn")) for group in _forwarded(r.inputs.get("defaultActions"))]


def _rule_groups(r: CapturedResource, resolver: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    listener = resolver.get(r.inputs.get("listenerArn"), side)
    balancer = listener.inputs.get("loadBalancerArn") if listener is not None else r.inputs.get("listenerArn")
    return [((group,), balancer) for group in _forwarded(r.inputs.get("actions"))]


def _listener_port(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    return [((r.inputs.get("loadBalancerArn"), _number(r.inputs.get("port"))), None)]


def _rule_priority(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    if r.inputs.get("priority") is None:
        return []  # AWS picks the next free priority
    return [((r.inputs.get("listenerArn"), _number(r.inputs.get("priority"))), None)]


def _vpc_origin(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    arn = (r.inputs.get("vpcOriginEndpointConfig") or {}).get("arn")
    return [((arn,), None)] if arn else []


def _permission_key(protocol: Any, from_port: Any, to_port: Any) -> tuple:
    protocol = str(protocol).lower()
    protocol = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(protocol, protocol)
    return (protocol,) if protocol == "-1" else (protocol, _number(from_port), _number(to_port))


def _inline_ingress(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    found = []
    for entry in r.inputs.get("ingress") or []:
        ports = _permission_key(entry.get("protocol"), entry.get("fromPort"), entry.get("toPort"))
        sources = [
            *(("cidr", c) for c in entry.get("cidrBlocks") or []),
            *(("cidr", c) for c in entry.get("ipv6CidrBlocks") or []),
            *(("prefix-list", p) for p in entry.get("prefixListIds") or []),
            *(("group", g) for g in entry.get("securityGroups") or []),
            *([("group", r.id)] if entry.get("self") else []),
        ]
        found += [((r.id, *ports, *source), None) for source in sources]
    return found


def _ingress_rule(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    i = r.inputs
    ports = _permission_key(i.get("ipProtocol"), i.get("fromPort"), i.get("toPort"))
    for kind, key in (("cidr", "cidrIpv4"), ("cidr", "cidrIpv6"), ("prefix-list", "prefixListId")):
        if i.get(key):
            return [((i.get("securityGroupId"), *ports, kind, i[key]), None)]
    if i.get("referencedSecurityGroupId"):
        return [((i.get("securityGroupId"), *ports, "group", i["referencedSecurityGroupId"]), None)]
    return []


def _statement(r: CapturedResource, resolver: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    if not r.inputs.get("statementId"):
        return []  # the provider makes one up, unique
    function = resolver.canonical(r.inputs.get("function"), side)
    return [((function, r.inputs.get("qualifier") or "", r.inputs["statementId"]), None)]


def _lambda_target(r: CapturedResource, resolver: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    """A Lambda target group holds one function (an alias or version is another target): registering the same
    target again is a no-op, another one is refused."""
    group = resolver.get(r.inputs.get("targetGroupArn"), side)
    if group is None or group.inputs.get("targetType") != "lambda":
        return []
    return [((r.inputs.get("targetGroupArn"),), r.inputs.get("targetId"))]


def _endpoint_group(r: CapturedResource, _: Resolver, side: str) -> Iterable[tuple[tuple, Any]]:
    return [((r.inputs.get("listenerArn"), r.inputs.get("endpointGroupRegion") or r.region), None)]


def _say_group(key: tuple, value: Any, resolver: Resolver) -> str:
    return f"associates target group {resolver.describe(key[0])} with load balancer {resolver.describe(value)}"


def _say_rule(key: tuple, value: Any, resolver: Resolver) -> str:
    return f"uses security group {resolver.describe(key[0])} rule {' '.join(str(k) for k in key[1:])}"


# Adding a rule is one entry. Sources: the ELBv2, CloudFront, EC2, Lambda and Global Accelerator API
# references (the error each CreateX answers when the key is taken).
ASSOCIATION_RULES: tuple[AssociationRule, ...] = (
    AssociationRule(
        "target-group", LISTENER, "TargetGroupAssociationLimit", _listener_groups, _say_group,
        "a target group is associated with at most one load balancer at a time",
    ),
    AssociationRule(
        "target-group", LISTENER_RULE, "TargetGroupAssociationLimit", _rule_groups, _say_group,
        "a target group is associated with at most one load balancer at a time",
    ),
    AssociationRule(
        "listener-port", LISTENER, "DuplicateListener", _listener_port,
        lambda key, _, res: f"listens on port {key[1]} of load balancer {res.describe(key[0])}",
        "one listener per port per load balancer",
    ),
    AssociationRule(
        "rule-priority", LISTENER_RULE, "PriorityInUse", _rule_priority,
        lambda key, _, res: f"takes priority {key[1]} on listener {res.describe(key[0])}",
        "listener rule priorities are unique per listener",
    ),
    AssociationRule(
        "vpc-origin", VPC_ORIGIN, "EntityAlreadyExists", _vpc_origin,
        lambda key, _, res: f"is the VPC origin of load balancer {res.describe(key[0])}",
        "one CloudFront VPC origin per load balancer",
    ),
    AssociationRule(
        "sg-rule", SECURITY_GROUP, "InvalidPermission.Duplicate", _inline_ingress, _say_rule,
        "a security group holds each rule once",
    ),
    AssociationRule(
        "sg-rule", INGRESS_RULE, "InvalidPermission.Duplicate", _ingress_rule, _say_rule,
        "a security group holds each rule once",
    ),
    AssociationRule(
        "lambda-statement", PERMISSION, "ResourceConflictException", _statement,
        lambda key, _, res: f"adds statement {key[2]} to function {res.describe(key[0])}"
        + (f" qualifier {key[1]}" if key[1] else ""),
        "a statement id is unique in a function's policy",
    ),
    AssociationRule(
        # ELB: "You can register one Lambda function per target group" (Lambda functions as targets); quota
        # "Targets per target group per Region (Lambda functions)": 1.
        "lambda-target", TARGET_GROUP_ATTACHMENT, "TooManyTargets", _lambda_target,
        lambda key, value, res: f"registers {value} in Lambda target group {res.describe(key[0])}",
        "a Lambda target group holds one target",
    ),
    AssociationRule(
        "endpoint-group", ENDPOINT_GROUP, "EndpointGroupAlreadyExistsException", _endpoint_group,
        lambda key, _, res: f"is the endpoint group of listener {res.describe(key[0])} in {key[1]}",
        "one endpoint group per listener and region",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Association:
    rule: AssociationRule
    key: tuple
    value: Any
    holder: CapturedResource
    label: str  # "", " (old)" or " (new)": which side of a replacement the holder is

    def describe(self, resolver: Resolver) -> str:
        return f"{short(self.holder.urn)}{self.label} {self.rule.say(self.key, self.value, resolver)}"


class AssociationRegistry:
    """The associations held at one moment of an update."""

    def __init__(self, resolver: Resolver, replaced: Iterable[str] = (), rules=ASSOCIATION_RULES) -> None:
        self.resolver, self.replaced = resolver, set(replaced)
        self.rules: dict[str, list[AssociationRule]] = {}
        for rule in rules:
            self.rules.setdefault(rule.type, []).append(rule)
        self._held: dict[tuple, list[Association]] = {}
        self._of: dict[int, list[Association]] = {}

    def take(self, resource: CapturedResource, side: str, verb: str) -> list[str]:
        label = f" ({side})" if resource.urn in self.replaced else ""
        clashes = []
        mine = self._of.setdefault(id(resource), [])
        for rule in self.rules.get(resource.type, ()):
            for key, value in rule.find(resource, self.resolver, side):
                held = Association(rule, key, value, resource, label)
                slot = self._held.setdefault((rule.space, key), [])
                for other in slot:
                    if other.holder is not resource and (value is None or other.value != value):
                        clashes.append(
                            f"{verb} {held.describe(self.resolver)} while {other.describe(self.resolver)}: "
                            f"AWS refuses with {rule.code} ({rule.why})"
                        )
                        break
                slot.append(held)
                mine.append(held)
        return clashes

    def release(self, resource: CapturedResource) -> None:
        for held in self._of.pop(id(resource), []):
            slot = self._held.get((held.rule.space, held.key), [])
            if held in slot:
                slot.remove(held)


def associations_clashes(old: list[CapturedResource], new: list[CapturedResource]) -> list[str]:
    """`new` created one by one (in order) while `old` exists: what AWS refuses. For tests of the rules."""
    before, after = ProgramRun("s", old, {}), ProgramRun("s", new, {})
    registry = AssociationRegistry(Resolver(before, after))
    for resource in old:
        registry.take(resource, "old", "holding")
    return [clash for resource in new for clash in registry.take(resource, "new", "creating")]


# ---------------------------------------------------------------------------------------------
# Failed updates: what the state holds when an update stops part way, and the next update from there.


@dataclass
class DeployedState(ProgramRun):
    """What `pulumi stack export` shows after a (failed) update: the live resources, the old halves of
    create-before-delete replacements pending deletion, and each URN's incarnation."""

    pending_delete: list[CapturedResource] = field(default_factory=list)
    generations: dict[str, int] = field(default_factory=dict)


def failed_update_state(
    plan: UpdatePlan, old_run: ProgramRun, upto: Optional[int] = None, creates_only: bool = False
) -> DeployedState:
    """The state after only part of `plan` ran: its first `upto` operations (`plan.events`, all when
    None), and with `creates_only` of those only the creates (new resources and the new halves of
    create-before-delete replacements: as if it failed before any update or delete)."""
    applied = plan.events if upto is None else plan.events[:upto]
    if creates_only:
        applied = [e for e in applied if e.op == "create" and not e.step.delete_before_replace]
    present: dict[int, CapturedResource] = {id(r): r for r in [*old_run.resources, *pending_deletes(old_run)]}
    new_ones: set[int] = set()
    for event in applied:
        if event.op == "create":
            present[id(event.resource)] = event.resource
            new_ones.add(id(event.resource))
        elif event.op == "update":
            present.pop(id(event.step.old), None)
            present[id(event.resource)] = event.resource
            new_ones.add(id(event.resource))
        else:
            present.pop(id(event.resource), None)
    old_generations = _generations(old_run)
    live: dict[str, CapturedResource] = {}
    for r in present.values():  # the new one of a urn wins; the old one waits for deletion
        if r.urn not in live or id(r) in new_ones:
            live[r.urn] = r
    order = [s.urn for s in plan.steps if s.new is not None] + [r.urn for r in old_run.resources]
    resources, seen = [], set()
    for urn in order:
        if urn in live and urn not in seen:
            seen.add(urn)
            resources.append(live[urn])
    kept = {id(r) for r in resources}
    pending = [r for r in [*pending_deletes(old_run), *old_run.resources] if id(r) in present and id(r) not in kept]
    generations = {
        r.urn: (plan.generations.get(r.urn, 0) if id(r) in new_ones else old_generations.get(r.urn, 0))
        for r in resources
    }
    return DeployedState(
        stack=old_run.stack,
        resources=resources,
        outputs={},
        pending_delete=pending,
        generations={urn: g for urn, g in generations.items() if g},
    )


def plan_recovery(stack: str, after: dict, state: DeployedState) -> tuple[UpdatePlan, ProgramRun]:
    """`pulumi up` again with the config `after` from what a failed update left (`failed_update_state`)."""
    new_run = run_program(stack, values=after, deployed_tables=deployed_tables(state))
    return plan_update(state, new_run), new_run


def plan_failed_transition(
    stack: str,
    before: dict,
    after: dict,
    upto: Optional[int] = None,
    creates_only: bool = False,
    created_before_release: bool = False,
) -> tuple[UpdatePlan, DeployedState, UpdatePlan]:
    """The transition `before` -> `after` stopping part way (see `failed_update_state`), then run again:
    (the first update's plan, the state it left, the second update's plan)."""
    first, old_run, _ = plan_transition(stack, before, after, created_before_release)
    state = failed_update_state(first, old_run, upto=upto, creates_only=creates_only)
    second, _ = plan_recovery(stack, after, state)
    return first, state, second
