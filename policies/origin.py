"""Nobody gets around the front door, and no hop crosses the internet in plain text.

- front-door-not-bypassable: the exposure components/security/exposure.py plans from the door set, checked per
  stack from the resources (the doors are the deployed ones, policies/front_door.py):
  - ALB scheme: internal exactly when every door reaches the ALBs privately (Global Accelerator alone);
    otherwise internet-facing (CloudFront reaches ALBs as public custom origins: VPC origins do not
    support Lambda@Edge origin-request triggers, and the router is one).
  - CloudFront is a door: every origin sends x-origin-verify (the stack's secret), and a REGIONAL web
    ACL's rate rule skips exactly the requests carrying it: scope-down NOT(header EXACTLY the secret).
  - No door sends clients to the entries directly (CloudFront alone, or with Global Accelerator):
    on each ALB listener serving the API (Global Accelerator's own port aside) every rule that forwards
    ahead of a catch-all 403 (components/security/origin_lockdown.py) requires exactly the secret CloudFront
    sends (the accept rules, one per secret version), and that value is accepted; the ALB's security
    groups admit nothing on that port but a prefix list (CloudFront's origin-facing one, on the
    "-cloudfront-sg" group; its id is looked up by name, so it cannot be told apart here) and carry no
    inline ingress. Behind an HTTP API the function has
    ORIGIN_SECRET_PATH (an SSM path whose SecureString parameters hold the accepted values; it refuses
    requests without one), one of those parameters holds CloudFront's value, and ORIGIN_OPEN_HOSTS
    names no CloudFront origin.
  - A direct door (route53): the entries are public by design; nothing to check for the lock.
  Secret values never appear in messages.
- apigateway-default-endpoint-disabled: an HTTP API with a custom domain does not also answer on its
  default execute-api hostname.
- no-plaintext-hop: ALB listeners that serve plain HTTP, and CloudFront origins fetched over HTTP. A
  stack that set global-serverless:allowPlaintext runs this policy as advisory (its pack config says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies import tokens as t
from policies.common import (
    config_int,
    constant,
    elements,
    get,
    is_unknown,
    label,
    message,
    number,
    plain,
    region_of,
    registry,
    reveal,
    show,
)
from policies.front_door import deployed_front_doors, undetermined_front_doors
from policies.graph import StackGraph

CLOUDFRONT_ORIGIN_PREFIX_LIST: str = constant("CLOUDFRONT_ORIGIN_PREFIX_LIST")
ORIGIN_SECRET_HEADER: str = constant("ORIGIN_SECRET_HEADER")
WAF_MANAGED_RULE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = constant("WAF_MANAGED_RULE_GROUPS")
ENV_ORIGIN_OPEN_HOSTS: str = constant("ENV_ORIGIN_OPEN_HOSTS")
ENV_ORIGIN_SECRET_PATH: str = constant("ENV_ORIGIN_SECRET_PATH")

LISTENER_RULE_TYPES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
APIGATEWAYV2_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping"
WORLD = ("0.0.0.0/0", "::/0")

# components/registry.py DoorFacts.reaches_entry values (components/security/exposure.py).
CLIENT, PRIVATE_NETWORK, EDGE = "client", "private-network", "edge"
# Listener rule priorities the program gives (components/regional/entries/alb.py, components/security/origin_lockdown.py).
LOCKDOWN_PRIORITY = 50000


# -- front-door-not-bypassable -------------------------------------------------------------------


@dataclass(frozen=True)
class _Doors:
    """The stack's doors, and what they mean for its entries."""

    names: tuple[str, ...]
    determined: bool  # preview may not tell whether latency records exist yet
    private_only: bool  # every door reaches the entries privately: ALBs are internal
    edge: bool  # CloudFront is a door: the secret header is sent
    locked: bool  # CloudFront is a door and no door sends clients directly

    def describe(self) -> str:
        return f"{self.names[0]} alone" if len(self.names) == 1 else " + ".join(self.names)


def _doors(graph: StackGraph) -> Optional[_Doors]:
    deployed = set(deployed_front_doors(graph))
    maybe = undetermined_front_doors(graph) - deployed
    names = tuple(sorted(deployed | maybe))
    if not names:
        return None
    reach = {name: registry()["doors"][name]["reaches_entry"] for name in names}
    edge = EDGE in reach.values()
    return _Doors(
        names=names,
        determined=not maybe,
        private_only=all(r == PRIVATE_NETWORK for r in reach.values()),
        edge=edge,
        locked=edge and CLIENT not in reach.values(),
    )


@dataclass
class _Sent:
    """The secret values CloudFront's origins send; `complete` when every one is known."""

    values: set[str]
    complete: bool = True

    def knows(self) -> bool:
        return self.complete and bool(self.values)


def _origin_domains(graph: StackGraph) -> set[str]:
    return {
        str(get(o, "domainName")).lower()
        for d in graph.of_type(t.CLOUDFRONT_DISTRIBUTION)
        for o in elements(d.props, "origins")
        if isinstance(get(o, "domainName"), str)
    }


def _check_origins(graph: StackGraph, report_violation: ReportViolation) -> _Sent:
    """Every origin sends the secret header and is a custom origin (no VPC origin); returns what is sent."""
    sent = _Sent(set())
    for distribution in graph.of_type(t.CLOUDFRONT_DISTRIBUTION):
        origins = get(distribution.props, "origins")
        if is_unknown(origins):
            sent.complete = False
            continue
        for origin in elements(distribution.props, "origins"):
            if is_unknown(origin):
                sent.complete = False
                continue
            origin_id = show(get(origin, "originId"))
            vpc_origin = get(origin, "vpcOriginConfig")
            if vpc_origin is not None and not is_unknown(vpc_origin):
                report_violation(
                    f"{label(distribution)}: origin {origin_id} is a VPC origin, but VPC origins do not support "
                    "Lambda@Edge origin-request triggers and the router is one. Fix: a custom origin "
                    "(custom_origin_config) on the internet-facing entry, sending the origin secret "
                    "(components/doors/cloudfront_edge.py).",
                    distribution.urn,
                )
            headers = get(origin, "customHeaders")
            names = [get(h, "name") for h in elements(origin, "customHeaders")]
            if is_unknown(headers) or any(is_unknown(n) for n in names):
                sent.complete = False  # preview: cannot tell yet
                continue
            values = [
                reveal(get(h, "value"))
                for h in elements(origin, "customHeaders")
                if isinstance(get(h, "name"), str) and get(h, "name").lower() == ORIGIN_SECRET_HEADER
            ]
            if not any(is_unknown(v) or v for v in values):
                report_violation(
                    f"{label(distribution)}: origin {origin_id} sends no {ORIGIN_SECRET_HEADER} header, so its "
                    "entry cannot tell CloudFront's requests from anyone's. Fix: give every origin "
                    f"custom_headers=[{{name: {ORIGIN_SECRET_HEADER}, value: <the stack's origin secret>}}] "
                    "(components/security/origin_secret.py).",
                    distribution.urn,
                )
            for value in values:
                if is_unknown(value):
                    sent.complete = False
                elif value:
                    sent.values.add(str(value))
    return sent


def _check_schemes(graph: StackGraph, doors: _Doors, report_violation: ReportViolation) -> None:
    """Internal ALBs exactly behind Global Accelerator alone."""
    for balancer in graph.of_type(t.LOAD_BALANCER, t.ALB_LOAD_BALANCER):
        internal = get(balancer.props, "internal")
        if is_unknown(internal):
            continue
        if doors.private_only and internal is not True:
            report_violation(
                message(
                    balancer,
                    f"internal is {show(internal)} though Global Accelerator is the only door: anyone can call "
                    "this region around it",
                    "internal=True (Global Accelerator reaches internal ALBs; keep the VPC's internet gateway)",
                ),
                balancer.urn,
            )
        elif not doors.private_only and internal is True:
            report_violation(
                message(
                    balancer,
                    f"internal is true, but the doors are {doors.describe()}: CloudFront reaches ALBs only as "
                    "public custom origins (VPC origins do not support Lambda@Edge origin-request triggers) and "
                    "Route 53 sends clients to the ALB itself, so they cannot reach it",
                    "internal=False whenever a door other than Global Accelerator is configured "
                    "(components/security/exposure.py)",
                ),
                balancer.urn,
            )


def _has_unknown(value: Any) -> bool:
    value = plain(value)
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _serves(props: Any) -> bool:
    """A listener that hands requests to the API (not one that only redirects HTTP to HTTPS)."""
    actions = list(elements(props, "defaultActions"))
    return not actions or any(get(a, "type") != "redirect" for a in actions)


def _linked(graph: StackGraph, resource: Any, prop: str, target: Any) -> bool:
    """`resource`'s `prop` names `target`: by a known ARN, or by the engine's property dependencies."""
    value = get(resource.props, prop)
    arn = get(target.props, "arn")
    if isinstance(value, str) and not is_unknown(value) and isinstance(arn, str) and value == arn:
        return True
    return target in graph.dependencies(resource, prop)


def _rules_on(graph: StackGraph, listener: Any) -> list[Any]:
    return [r for r in graph.of_type(*LISTENER_RULE_TYPES) if _linked(graph, r, "listenerArn", listener)]


def _header_values(rule: Any) -> Optional[list[Any]]:
    """The values a rule's header condition accepts for the origin secret header, or None."""
    for condition in elements(rule.props, "conditions"):
        name = get(condition, "httpHeader", "httpHeaderName")
        if isinstance(name, str) and name.lower() == ORIGIN_SECRET_HEADER:
            return [reveal(v) for v in elements(condition, "httpHeader", "values")]
    return None


def _forwards(resource: Any, prop: str) -> bool:
    return any(get(a, "type") == "forward" for a in elements(resource.props, prop))


def _refuses(resource: Any, prop: str) -> bool:
    return any(
        get(a, "type") == "fixed-response" and str(get(a, "fixedResponse", "statusCode")) == "403"
        for a in elements(resource.props, prop)
    )


def _matches_everything(rule: Any) -> bool:
    conditions = list(elements(rule.props, "conditions"))
    return bool(conditions) and all("*" in list(elements(c, "pathPattern", "values")) for c in conditions)


def _priority(rule: Any) -> float:
    value = number(get(rule.props, "priority"))
    return float("inf") if value is None else value


def _check_locked_listener(
    graph: StackGraph, listener: Any, rules: list[Any], sent: _Sent, report_violation: ReportViolation
) -> None:
    last = [r for r in rules if _refuses(r, "actions") and _matches_everything(r)]
    refusal = min((_priority(r) for r in last), default=float("inf"))
    if not last and not _refuses(listener, "defaultActions"):
        actions = [get(a, "type") for a in elements(listener.props, "defaultActions")]
        report_violation(
            f"{label(listener)}: requests without the {ORIGIN_SECRET_HEADER} header still reach the API (default "
            f"actions {show(actions)}, and no rule for every path answers 403), though no door sends clients here "
            f"directly. Fix: the last rule answering fixed-response 403 (components/security/origin_lockdown.py, priority "
            f"{LOCKDOWN_PRIORITY}).",
            listener.urn,
        )
    accepted: list[Any] = []
    for rule in sorted(rules, key=_priority):
        if _priority(rule) >= refusal or not _forwards(rule, "actions"):
            continue
        values = _header_values(rule)
        if values is None:
            report_violation(
                message(
                    rule,
                    f"forwards requests without the {ORIGIN_SECRET_HEADER} header (priority "
                    f"{show(get(rule.props, 'priority'))}, ahead of the 403 rule), though no door sends clients to "
                    f"listener '{listener.name}' directly: anyone can call this region around CloudFront",
                    "remove it (an open rule belongs only to stacks with a direct door), or add the header "
                    "condition with the stack's origin secret (components/regional/entries/alb.py)",
                ),
                rule.urn,
            )
            continue
        if any(isinstance(v, str) and ("*" in v or "?" in v) for v in values):
            report_violation(
                message(
                    rule,
                    f"its {ORIGIN_SECRET_HEADER} condition has a value with * or ?, which ALB treats as wildcards: "
                    "requests with other values are forwarded too",
                    "match the exact secret (letters and digits only: components/security/origin_secret.py)",
                ),
                rule.urn,
            )
        elif sent.knows() and any(not is_unknown(v) and str(v) not in sent.values for v in values):
            report_violation(
                message(
                    rule,
                    f"forwards requests whose {ORIGIN_SECRET_HEADER} is a value CloudFront does not send: whoever "
                    "holds that value gets around CloudFront",
                    "accept only the value the distribution sends (components/regional/entries/alb.py, one rule per "
                    "global-serverless:originSecretVersion)",
                ),
                rule.urn,
            )
        accepted += [v for v in values if not is_unknown(v)]
    if not accepted:
        refusing = ", ".join(f"'{r.name}' (priority {show(get(r.props, 'priority'))})" for r in last) or "the default"
        report_violation(
            f"{label(listener)}: no rule ahead of the 403 ({refusing}) forwards requests carrying the "
            f"{ORIGIN_SECRET_HEADER} header, so every request through CloudFront gets 403. Fix: an accept rule per "
            f"secret version (header condition {ORIGIN_SECRET_HEADER} = the secret, forward; components/regional/entries/"
            f"alb.py accept_priority), the 403 rule last (priority {LOCKDOWN_PRIORITY}).",
            listener.urn,
        )
    elif sent.knows() and not sent.values <= {str(v) for v in accepted}:
        report_violation(
            f"{label(listener)}: CloudFront sends an origin secret this listener does not accept, so every request "
            f"through the door gets 403. Fix: an accept rule for the current global-serverless:originSecretVersion "
            "(components/regional/entries/alb.py).",
            listener.urn,
        )


def _covers(rule: Any, ports: set[float], protocol_key: str) -> Optional[list[float]]:
    """The served ports a group rule opens (None when preview does not know)."""
    protocol = get(rule, protocol_key)
    low, high = number(get(rule, "fromPort")), number(get(rule, "toPort"))
    if is_unknown(protocol):
        return None
    if str(protocol) in ("-1", "all"):
        return sorted(ports)
    if low is None or high is None:
        return None if is_unknown(get(rule, "fromPort")) or is_unknown(get(rule, "toPort")) else []
    return sorted(p for p in ports if low <= p <= high)


def _sources(rule: Any, legacy: bool) -> list[str]:
    if legacy:
        keys = ("cidrBlocks", "ipv6CidrBlocks")
        found = [str(b) for key in keys for b in elements(rule, key) if not is_unknown(b)]
        found += [f"security group {show(get(rule, 'sourceSecurityGroupId'))}"] * bool(
            get(rule, "sourceSecurityGroupId")
        )
        return found
    found = [str(get(rule, key)) for key in ("cidrIpv4", "cidrIpv6") if isinstance(get(rule, key), str)]
    if get(rule, "referencedSecurityGroupId"):
        found.append(f"security group {show(get(rule, 'referencedSecurityGroupId'))}")
    return found


def _check_locked_groups(
    graph: StackGraph, balancer: Any, ports: set[float], report_violation: ReportViolation
) -> None:
    """Only a prefix list (CloudFront's origin-facing one) reaches the served ports; no inline ingress."""
    groups = graph.dependencies(balancer, "securityGroups", SECURITY_GROUP)
    where = f"load balancer '{balancer.name}'"
    served = " and ".join(show(p) for p in sorted(ports))
    fix = (
        f"only an aws.vpc.SecurityGroupIngressRule with prefix_list_id = {CLOUDFRONT_ORIGIN_PREFIX_LIST} on the "
        f"'-cloudfront-sg' group may admit port {served} while no door sends clients directly (components/regional/entries/alb.py)"
    )
    for group in groups:
        for rule in elements(group.props, "ingress"):
            opened = _covers(rule, ports, "protocol")
            sources = _sources(rule, legacy=True) + [f"prefix list {p}" for p in elements(rule, "prefixListIds")]
            report_violation(
                message(
                    group,
                    f"inline ingress on {where} (ports {show(get(rule, 'fromPort'))}-{show(get(rule, 'toPort'))} from "
                    f"{', '.join(sources) or '(nothing)'})"
                    + (f", which opens served port {show(opened[0])}" if opened else "")
                    + ": the program admits clients only with rule resources, and inline rules beside them are "
                    "overwritten or fought over on every update",
                    f"remove the inline ingress; {fix}",
                ),
                group.urn,
            )
    admitted = unsure = False
    source_keys = ("cidrIpv4", "cidrIpv6", "cidrBlocks", "ipv6CidrBlocks", "prefixListId", "prefixListIds", "type")
    for rule in graph.of_type(INGRESS_RULE, LEGACY_GROUP_RULE):
        legacy = rule.resource_type == LEGACY_GROUP_RULE
        if not any(g in groups for g in graph.dependencies(rule, "securityGroupId", SECURITY_GROUP)):
            continue
        opened = _covers(rule.props, ports, "protocol" if legacy else "ipProtocol")
        if opened is None or any(_has_unknown(get(rule.props, key)) for key in source_keys):
            unsure = True  # preview: cannot tell what it admits yet
            continue
        if not opened or (legacy and get(rule.props, "type") != "ingress"):
            continue
        prefix = get(rule.props, "prefixListIds" if legacy else "prefixListId")
        sources = _sources(rule.props, legacy)
        if not sources:
            admitted = admitted or bool(prefix)
            continue
        world = [s for s in sources if s in WORLD]
        report_violation(
            message(
                rule,
                f"admits {', '.join(world or sources)} on port {show(opened[0])} of {where}, "
                "though no door sends clients to it directly: "
                + ("anyone can call this region around CloudFront" if world else "those callers bypass CloudFront"),
                fix,
            ),
            rule.urn,
        )
    if groups and not admitted and not unsure:
        report_violation(
            message(
                balancer,
                f"no security group rule admits CloudFront's origin-facing prefix list on port {served}, so "
                "CloudFront cannot reach this region",
                f"an aws.vpc.SecurityGroupIngressRule with prefix_list_id = {CLOUDFRONT_ORIGIN_PREFIX_LIST} on the "
                "'-cloudfront-sg' group (components/regional/entries/alb.py)",
            ),
            balancer.urn,
        )


def _check_locked_balancers(graph: StackGraph, doors: _Doors, sent: _Sent, report_violation: ReportViolation) -> None:
    # Ports a door reaches the entries on a listener of its own (Global Accelerator's: its facts' own_ports).
    ga_ports = {float(p) for name in doors.names for p in t.PACK_FACTS["doors"][name]["own_ports"]}
    for balancer in graph.of_type(t.LOAD_BALANCER, t.ALB_LOAD_BALANCER):
        ports: set[float] = set()
        for listener in graph.of_type(*t.LISTENER_TYPES):
            if not _linked(graph, listener, "loadBalancerArn", balancer):
                continue
            port = number(get(listener.props, "port"))
            if is_unknown(get(listener.props, "port")) or port in ga_ports:
                # Unknown (preview), or Global Accelerator's own port: GA keeps the clients' addresses, so no
                # rule can tell its requests from anyone's there (components/security/exposure.py).
                continue
            rules = _rules_on(graph, listener)
            if not _serves(listener.props) and not any(_forwards(r, "actions") for r in rules):
                continue
            if port is not None:
                ports.add(port)
            routing = [get(listener.props, "defaultActions")] + [
                get(r.props, key) for r in rules for key in ("conditions", "actions", "priority")
            ]
            if not any(_has_unknown(value) for value in routing):  # preview: the routing is not known yet
                _check_locked_listener(graph, listener, rules, sent, report_violation)
        if ports:
            _check_locked_groups(graph, balancer, ports, report_violation)


def _check_function(
    graph: StackGraph, function: Any, sent: _Sent, origins: set[str], report_violation: ReportViolation
) -> None:
    path = reveal(get(function.props, "environment", "variables", ENV_ORIGIN_SECRET_PATH))
    if is_unknown(path):
        return
    if not isinstance(path, str) or not path.startswith("/"):
        report_violation(
            message(
                function,
                f"the HTTP API's function serves every request ({ENV_ORIGIN_SECRET_PATH} is {show(path)}), so "
                "anyone can call this region around CloudFront",
                f"set {ENV_ORIGIN_SECRET_PATH} to the SSM path of the accepted origin secrets "
                "(OriginSecret.function_environment, components/security/origin_secret.py)",
            ),
            function.urn,
        )
        return
    region = region_of(function)
    parameters = [p for p in graph.of_type(SSM_PARAMETER) if region_of(p) == region]
    names = [get(p.props, "name") for p in parameters]
    values = [reveal(get(p.props, "value")) for p in parameters if str(get(p.props, "name")).startswith(path + "/")]
    if sent.knows() and not any(is_unknown(n) for n in names) and not any(is_unknown(v) for v in values):
        if not sent.values & {str(v) for v in values}:
            report_violation(
                message(
                    function,
                    f"no SSM parameter under {ENV_ORIGIN_SECRET_PATH} {path} in {region} holds the origin secret "
                    "CloudFront sends, so the function answers every request through the door with 403",
                    "one SecureString parameter per region for the current version (OriginSecret with regions, "
                    "components/security/origin_secret.py)",
                ),
                function.urn,
            )
    hosts = reveal(get(function.props, "environment", "variables", ENV_ORIGIN_OPEN_HOSTS))
    if isinstance(hosts, str) and not is_unknown(hosts):
        exposed = sorted({h.strip().lower() for h in hosts.split(",")} & origins)
        if exposed:
            report_violation(
                message(
                    function,
                    f"{ENV_ORIGIN_OPEN_HOSTS} lists {', '.join(exposed)}, a name CloudFront fetches from, so requests "
                    "to it are served without the origin secret",
                    f"{ENV_ORIGIN_OPEN_HOSTS} names only direct doors' names (components/security/origin_secret.py)",
                ),
                function.urn,
            )


def _health_exemption(statement: Any) -> bool:
    """A URI-path match, EXACTLY, no transformation: the health checks, which a direct door's checkers send
    from a few shared addresses (the API answers nothing but GET there; the check only reads)."""
    match = get(statement, "byteMatchStatement")
    if match is None or get(match, "positionalConstraint") != "EXACTLY":
        return False
    if any(get(x, "type") != "NONE" for x in elements(match, "textTransformations")):
        return False
    return get(match, "fieldToMatch", "uriPath") is not None


def _scope_down_problems(statement: Any, sent: _Sent) -> list[str]:
    skipped = get(statement, "notStatement", "statement")
    if skipped is None:
        return ["it is not NOT(a byte match on the header)"]
    members = list(elements(skipped, "orStatement", "statements")) or [skipped]
    secret = [m for m in members if get(m, "byteMatchStatement", "fieldToMatch", "singleHeader") is not None]
    others = [m for m in members if m not in secret]
    if len(secret) != 1:
        return ["it is not NOT(a byte match on the header)"]
    if not all(_health_exemption(m) for m in others):
        return ["it skips more than CloudFront's secret and the health path"]
    match = get(secret[0], "byteMatchStatement")
    problems = []
    header = get(match, "fieldToMatch", "singleHeader", "name")
    if not isinstance(header, str) or header.lower() != ORIGIN_SECRET_HEADER:
        problems.append(f"it matches header {show(header)}, not {ORIGIN_SECRET_HEADER}")
    constraint = get(match, "positionalConstraint")
    if constraint != "EXACTLY":
        problems.append(f"its positional constraint is {show(constraint)}, not EXACTLY")
    transformations = [get(x, "type") for x in elements(match, "textTransformations")]
    if any(x != "NONE" for x in transformations):
        problems.append(f"it transforms the header first ({show(transformations)})")
    value = reveal(get(match, "searchString"))
    if sent.knows() and not is_unknown(value) and str(value) not in sent.values:
        problems.append("its search string is not the secret CloudFront sends")
    return problems


def _check_regional_rate_rules(graph: StackGraph, sent: _Sent, report_violation: ReportViolation) -> None:
    """Beside CloudFront a REGIONAL rate rule skips exactly the requests carrying CloudFront's secret."""
    for acl in graph.of_type(WEB_ACL):
        if get(acl.props, "scope") != "REGIONAL":
            continue
        for rule in elements(acl.props, "rules"):
            rate = get(rule, "statement", "rateBasedStatement")
            if rate is None or _has_unknown(rate):
                continue
            scope_down = get(rate, "scopeDownStatement")
            problems = (
                ["it has none: CloudFront's shared edge addresses are limited as if each were one client"]
                if scope_down is None
                else _scope_down_problems(scope_down, sent)
            )
            if problems:
                report_violation(
                    message(
                        acl,
                        f"rate rule {show(get(rule, 'name'))} beside CloudFront must skip exactly the requests that "
                        f"carry the origin secret, but {'; '.join(problems)}",
                        f"scope_down_statement NOT(byte match on header {ORIGIN_SECRET_HEADER}, EXACTLY the stack's "
                        "origin secret, transformation NONE) (components/security/web_acl.py)",
                    ),
                    acl.urn,
                )


def _front_door_not_bypassable(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    doors = _doors(graph)
    if doors is None:
        return  # front-door-matches-config says so
    if doors.determined:
        _check_schemes(graph, doors, report_violation)
    if not doors.edge:
        return
    sent = _check_origins(graph, report_violation)
    _check_regional_rate_rules(graph, sent, report_violation)
    if not doors.locked:
        return  # a door sends clients to the entries directly: they are public by design
    _check_locked_balancers(graph, doors, sent, report_violation)
    origins = _origin_domains(graph)
    for backend in graph.backends():
        if any(entry.resource_type == t.APIGATEWAYV2_API for entry in backend.entries):
            for function in backend.functions:
                _check_function(graph, function, sent, origins, report_violation)


FRONT_DOOR_NOT_BYPASSABLE = StackValidationPolicy(
    name="front-door-not-bypassable",
    description=(
        "Entries are reached only as the door set plans: internal ALBs behind Global Accelerator alone, and behind "
        "CloudFront without a direct door, only requests carrying the stack's origin secret are served."
    ),
    validate=_front_door_not_bypassable,
)


# -- apigateway-default-endpoint-disabled ---------------------------------------------------------


def _has_custom_domain(graph: StackGraph, api: Any) -> bool:
    mapped = any(
        api in graph.dependencies(m, "apiId") or get(m.props, "apiId") == get(api.props, "id")
        for m in graph.of_type(APIGATEWAYV2_MAPPING)
    )
    siblings = api.parent is not None and any(d.parent is api.parent for d in graph.of_type(t.APIGATEWAYV2_DOMAIN))
    return mapped or siblings


def _default_endpoint_disabled(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    for api in graph.of_type(t.APIGATEWAYV2_API):
        disabled = get(api.props, "disableExecuteApiEndpoint")
        if is_unknown(disabled) or disabled is True or not _has_custom_domain(graph, api):
            continue
        report_violation(
            message(
                api,
                f"disableExecuteApiEndpoint is {show(disabled)} although the API has a custom domain: "
                "https://<id>.execute-api.<region>.amazonaws.com still answers, around every front door",
                "set disable_execute_api_endpoint=True on aws.apigatewayv2.Api",
            ),
            api.urn,
        )


APIGATEWAY_DEFAULT_ENDPOINT_DISABLED = StackValidationPolicy(
    name="apigateway-default-endpoint-disabled",
    description="An HTTP API with a custom domain has its default execute-api endpoint disabled.",
    validate=_default_endpoint_disabled,
)


# -- no-plaintext-hop ----------------------------------------------------------------------------


def _plaintext(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in t.LISTENER_TYPES:
        protocol = get(args.props, "protocol")
        if protocol == "HTTP" and _serves(args.props):
            report_violation(
                message(
                    args,
                    "the listener serves the API over plain HTTP: requests and answers cross the internet unencrypted",
                    "set a domain (global-serverless:domain) so the ALB listens on HTTPS and redirects port 80; "
                    "global-serverless:allowPlaintext: true makes this advisory",
                ),
                None,
            )
    elif args.resource_type == t.CLOUDFRONT_DISTRIBUTION:
        for origin in elements(args.props, "origins"):
            policy = get(origin, "customOriginConfig", "originProtocolPolicy")
            if policy is not None and not is_unknown(policy) and policy != "https-only":
                report_violation(
                    message(
                        args,
                        f"origin {show(get(origin, 'originId'))} is fetched with originProtocolPolicy "
                        f"{show(policy)}: CloudFront -> origin crosses the internet unencrypted",
                        'set a domain so every origin serves HTTPS, then origin_protocol_policy="https-only"; '
                        "global-serverless:allowPlaintext: true makes this advisory",
                    ),
                    None,
                )


NO_PLAINTEXT_HOP = ResourceValidationPolicy(
    name="no-plaintext-hop",
    description="No listener serves the API over HTTP and no CloudFront origin is fetched over HTTP.",
    validate=_plaintext,
)


# -- waf-attached-when-configured ----------------------------------------------------------------


def _check_web_acl(acl: Any, limit: int, report_violation: ReportViolation) -> None:
    rules = list(elements(acl.props, "rules"))
    if any(_has_unknown(get(r, "statement")) for r in rules):
        return
    limits = [get(r, "statement", "rateBasedStatement", "limit") for r in rules]
    groups = {get(r, "statement", "managedRuleGroupStatement", "name") for r in rules}
    if not any(value is not None and float(value) == limit for value in limits):
        report_violation(
            message(
                acl,
                f"no rate-based rule with the configured limit {limit} (limits: {show([v for v in limits if v is not None])})",
                f"a rate_based_statement with aggregate_key_type IP and limit {limit} (components/security/web_acl.py)",
            ),
            acl.urn,
        )
    missing = sorted({name for name, _ in WAF_MANAGED_RULE_GROUPS} - groups)
    if missing:
        report_violation(
            message(
                acl,
                f"AWS managed rule groups {', '.join(missing)} are missing",
                "add them (components/security/web_acl.py)",
            ),
            acl.urn,
        )


def _waf_attached(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    limit = config_int(args, "wafRateLimit", 0)
    if limit <= 0:
        return  # the stack has no waf key
    graph = StackGraph(args.resources)
    for acl in graph.of_type(WEB_ACL):
        _check_web_acl(acl, limit, report_violation)
    for distribution in graph.of_type(t.CLOUDFRONT_DISTRIBUTION):
        acl_id = get(distribution.props, "webAclId")
        if not is_unknown(acl_id) and not acl_id and not graph.dependencies(distribution, "webAclId", WEB_ACL):
            report_violation(
                message(
                    distribution,
                    "global-serverless:waf is set but the distribution has no web ACL (webAclId (not set))",
                    "set web_acl_id to the CLOUDFRONT-scope web ACL's ARN (components/security/web_acl.py)",
                ),
                distribution.urn,
            )
    if all(t.PACK_FACTS["doors"][door]["web_acl_scope"] for door in deployed_front_doors(graph)):
        return  # every request passes CloudFront's web ACL; the entries answer nobody else
    associated = set()
    for association in graph.of_type(WEB_ACL_ASSOCIATION):
        arn = get(association.props, "resourceArn")
        if not is_unknown(arn):
            associated.add(arn)
        associated |= {r.urn for r in graph.dependencies(association, "resourceArn")}
    for balancer in graph.of_type(t.LOAD_BALANCER, t.ALB_LOAD_BALANCER):
        arn = get(balancer.props, "arn")
        if is_unknown(arn) and not associated:
            continue
        if arn not in associated and balancer.urn not in associated:
            report_violation(
                message(
                    balancer,
                    "global-serverless:waf is set and clients reach this load balancer directly, but no web ACL "
                    "is associated with it",
                    "an aws.wafv2.WebAclAssociation with the region's REGIONAL web ACL (components/security/web_acl.py)",
                ),
                balancer.urn,
            )


WAF_ATTACHED_WHEN_CONFIGURED = StackValidationPolicy(
    name="waf-attached-when-configured",
    description="With global-serverless:waf, every door and entry clients reach has a web ACL with the rate limit.",
    validate=_waf_attached,
    config_schema=PolicyConfigSchema(
        properties={
            "wafRateLimit": {
                "type": "integer",
                "minimum": 0,
                "description": "global-serverless:waf.rateLimit, or 0 when the stack sets no waf.",
            }
        }
    ),
)
