"""What `pulumi up` would do to a deployed stack after a change, replayed against AWS's uniqueness rules.

Both configs run through the program under mocks. Resources are matched by URN, then by alias (the
first alias found in the old state wins, as in the engine's step generator). Each match is `same`,
`update` or `replace`, decided by the provider's own rules (FORCE_NEW below); unmatched old ones are
deleted. The engine's order is then replayed: in registration order, creates, updates and
replacements (create-before-delete unless `deleteBeforeReplace`), and at the end the deletes
(dependents first). At every step each AWS-unique name may be held as AWS allows, or the step is a clash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from components.catalogue import ORIGIN_LOCK_TAG
from components.origin_protection import PENDING
from offline.run import CapturedResource, ProgramRun, run_program

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
    # globalaccelerator/listener.go (accelerator_arn), endpoint_group.go (listener_arn, endpoint_group_region).
    "aws:globalaccelerator/listener:Listener": frozenset({"acceleratorArn"}),
    "aws:globalaccelerator/endpointGroup:EndpointGroup": frozenset({"listenerArn", "endpointGroupRegion"}),
    # dynamodb/table.go: name, hash_key, range_key (attribute changes go with a key change).
    "aws:dynamodb/table:Table": frozenset({"name", "hashKey", "rangeKey"}),
}

TABLE = "aws:dynamodb/table:Table"
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
        with open(value.path, "rb") as handle:
            return {"__asset": hashlib.sha256(handle.read()).hexdigest()}
    if isinstance(getattr(value, "text", None), str):
        return {"__asset": hashlib.sha256(value.text.encode()).hexdigest()}
    return value


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
class UpdatePlan:
    steps: list[Step]
    clashes: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

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


def plan_update(old_run: ProgramRun, new_run: ProgramRun) -> UpdatePlan:
    steps, errors = match(old_run, new_run)
    plan = UpdatePlan(steps=steps, clashes=list(errors))
    registry = NameRegistry()
    for old in old_run.resources:
        registry.take(claims_of(old), Step("same", old.urn, old.type, old.region))
    deferred: list[CapturedResource] = []
    dark: dict[tuple, str] = {}  # DNS names that have no record for a while, and who took it away

    def drop(resource: CapturedResource, step: Step) -> None:
        claims = claims_of(resource)
        registry.release(claims)
        for claim in claims:
            if claim.kind == "dns" and not registry.holds(claim.kind, claim.key):
                dark[claim.key] = short(step.urn)

    def take(resource: CapturedResource, step: Step) -> None:
        claims = claims_of(resource)
        plan.clashes.extend(registry.take(claims, step))
        for claim in claims:
            if claim.kind == "dns" and claim.key in dark:
                plan.notices.append(
                    f"{claim.key[1]} has no {claim.record_type} record from {dark.pop(claim.key)} "
                    f"going until {short(step.urn)} is created (a short DNS gap)"
                )

    for step in steps:
        if step.op == "create":
            take(step.new, step)
        elif step.op == "update":
            # Updates are in place: Route 53 swaps a record set in one atomic change batch.
            registry.release(claims_of(step.old))
            take(step.new, step)
        elif step.op == "replace":
            if step.delete_before_replace:
                drop(step.old, step)
                take(step.new, step)
            else:
                take(step.new, step)
                deferred.append(step.old)
    for old in reversed(deferred):
        drop(old, Step("delete", old.urn, old.type, old.region))
    for step in plan.of("delete"):
        drop(step.old, step)
    plan.hazards.extend(hazards(plan, old_run, new_run))
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
        if s.old.inputs.get("skipDestroy")
    )
    return plan


def _lock_pending(resource: CapturedResource) -> bool:
    tags = resource.inputs.get("tags")
    return isinstance(tags, dict) and tags.get(ORIGIN_LOCK_TAG) == PENDING


# ---------------------------------------------------------------------------------------------
# Hazards: what AWS refuses, or what loses data, or what needs a person.


def hazards(plan: UpdatePlan, old_run: ProgramRun, new_run: ProgramRun) -> list[str]:
    found = []
    for step in plan.steps:
        old = step.old
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
                "; a stack created by an earlier release has internet-facing ALBs and keeps them: check with "
                "python -m offline.diff --albs internet-facing"
                if "internal" in step.forced_by
                else ""
            )
            found.append(
                f"{short(old.urn)} has deletion protection on: AWS refuses to {what} until it is turned "
                f"off (set deletionProtection: false and run pulumi up first){hint}"
            )
        if step.type == "aws:ec2/vpc:Vpc" and step.op == "delete" and _had_global_accelerator(old_run):
            found.append(
                f"{short(old.urn)}: Global Accelerator created a security group named GlobalAccelerator in "
                "this VPC (client IP preservation); AWS keeps the VPC until it is deleted by hand"
            )
    return found


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


def _had_global_accelerator(run: ProgramRun) -> bool:
    return any(r.type == "aws:globalaccelerator/endpointGroup:EndpointGroup" for r in run.resources)


def _untracked(tags: dict[str, str]) -> dict[str, str]:
    """A table's tags as a release before the program's own tags left them (provider tags and name only)."""
    return {k: v for k, v in tags.items() if k in ("project", "stack", "managed-by", "__name")}


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
        resources.append(CapturedResource(inputs=item["inputs"], state={}, **fields))
    return ProgramRun(stack=data["stack"], resources=resources, outputs={})
