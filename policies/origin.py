"""Nobody gets around the front door, and no hop crosses the internet in plain text.

- front-door-not-bypassable: when CloudFront is the stack's only door, every origin sends the stack's
  origin secret, every ALB listener serving the API forwards only requests carrying it (the rest get
  403), and every HTTP API's function refuses requests without it (ORIGIN_SECRETS). With any door whose clients connect to the entries themselves (route53, Global
  Accelerator), the entries are public by design and this policy has nothing to check. In the update
  that moves a live stack to CloudFront the refusal is pending (tagged origin-lock: pending on the last
  rule or the function) and comes with the next update: see components/origin_protection.lock_state.
- apigateway-default-endpoint-disabled: an HTTP API with a custom domain does not also answer on its
  default execute-api hostname.
- no-plaintext-hop: ALB listeners that serve plain HTTP, and CloudFront origins fetched over HTTP. A
  stack that set global-serverless:allowPlaintext runs this policy as advisory (its pack config says so).
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from components.catalogue import (
    ALB_SCHEME_TAG,
    CLOUDFRONT_ORIGIN_PREFIX_LIST,
    ORIGIN_LOCK_TAG,
    ORIGIN_SECRET_HEADER,
    WAF_MANAGED_RULE_GROUPS,
)
from components.origin_protection import INTERNET_FACING, PENDING
from functions.api.contract import ENV_ORIGIN_SECRETS
from policies import tokens as t
from policies.common import config_int, elements, get, is_unknown, label, message, plain, show
from policies.front_door import deployed_front_doors
from policies.graph import StackGraph

LISTENER_RULE_TYPES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
APIGATEWAYV2_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping"


# -- front-door-not-bypassable -------------------------------------------------------------------


def _sent_secrets(distribution: Any, report_violation: ReportViolation) -> set[str]:
    """The secret values the distribution's origins send; reports origins that send none."""
    sent: set[str] = set()
    for origin in elements(distribution.props, "origins"):
        names = [get(h, "name") for h in elements(origin, "customHeaders")]
        if is_unknown(get(origin, "customHeaders")) or any(is_unknown(n) for n in names):
            continue  # preview: cannot tell yet
        headers = {
            str(get(h, "name")).lower(): get(h, "value") for h in elements(origin, "customHeaders") if get(h, "name")
        }
        value = headers.get(ORIGIN_SECRET_HEADER)
        if value is None or value == "":
            report_violation(
                f"{label(distribution)}: origin {show(get(origin, 'originId'))} sends no {ORIGIN_SECRET_HEADER} "
                "header, so its entry cannot tell CloudFront's requests from anyone's. Fix: give every origin "
                f"custom_headers=[{{name: {ORIGIN_SECRET_HEADER}, value: <the stack's origin secret>}}] "
                "(components/origin_secret.py).",
                distribution.urn,
            )
        elif not is_unknown(value):
            sent.add(str(value))
    return sent


def _serves(props: Any) -> bool:
    """A listener that hands requests to the API (not one that only redirects HTTP to HTTPS)."""
    actions = list(elements(props, "defaultActions"))
    return not actions or any(get(a, "type") != "redirect" for a in actions)


def _rules_on(graph: StackGraph, listener: Any) -> list[Any]:
    rules = []
    for rule in graph.of_type(*LISTENER_RULE_TYPES):
        arn = get(rule.props, "listenerArn")
        known = arn is not None and not is_unknown(arn) and arn == get(listener.props, "arn")
        if known or listener in graph.dependencies(rule, "listenerArn"):
            rules.append(rule)
    return rules


def _header_values(rule: Any) -> list[Any] | None:
    """The values a rule's header condition accepts for the origin secret header, or None."""
    for condition in elements(rule.props, "conditions"):
        name = get(condition, "httpHeader", "httpHeaderName")
        if isinstance(name, str) and name.lower() == ORIGIN_SECRET_HEADER:
            return list(elements(condition, "httpHeader", "values"))
    return None


def _action_types(resource: Any, prop: str) -> list[Any]:
    return [get(a, "type") for a in elements(resource.props, prop)]


def _refuses(resource: Any, prop: str) -> bool:
    return any(
        get(a, "type") == "fixed-response" and str(get(a, "fixedResponse", "statusCode")) == "403"
        for a in elements(resource.props, prop)
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


def _check_listener(graph: StackGraph, listener: Any, sent: set[str], report_violation: ReportViolation) -> None:
    rules = _rules_on(graph, listener)
    routing = [get(listener.props, "defaultActions")] + [
        get(r.props, key) for r in rules for key in ("conditions", "actions", "priority")
    ]
    if any(_has_unknown(value) for value in routing):
        return  # preview: the listener's routing is not known yet
    accepting = [r for r in rules if _header_values(r) is not None and "forward" in _action_types(r, "actions")]
    if not accepting:
        report_violation(
            f"{label(listener)}: forwards requests without checking the {ORIGIN_SECRET_HEADER} header, so anyone "
            "can call this region around CloudFront. Fix: a listener rule forwarding only when the header "
            "carries the stack's origin secret (components/entries/alb.py).",
            listener.urn,
        )
        return
    pending = any(get(r.props, "tags", ORIGIN_LOCK_TAG) == PENDING for r in rules)
    if pending:
        pass  # the update that moves a live stack to CloudFront: the lock comes with the next one (lock_state)
    elif not _refuses(listener, "defaultActions") and not any(
        _refuses(r, "actions") and _after_all(r, accepting) for r in rules
    ):
        report_violation(
            f"{label(listener)}: requests without the {ORIGIN_SECRET_HEADER} header still reach the API (default "
            f"actions {show(_action_types(listener, 'defaultActions'))}). Fix: a last rule (components/"
            "origin_lockdown.py) or the default action answering fixed-response 403.",
            listener.urn,
        )
    values = [v for r in accepting for v in _header_values(r) or []]
    if sent and values and not any(is_unknown(v) for v in values) and sent - {str(v) for v in values}:
        report_violation(
            f"{label(listener)}: CloudFront sends an origin secret this listener does not accept, so every "
            "request through the door would get 403. Fix: accept the current and the previous secret "
            "(global-serverless:originSecretVersion rotates them together).",
            listener.urn,
        )


def _check_security_group(group: Any, report_violation: ReportViolation) -> None:
    for rule in elements(group.props, "ingress"):
        blocks = [str(b) for key in ("cidrBlocks", "ipv6CidrBlocks") for b in elements(rule, key) if not is_unknown(b)]
        world = [b for b in blocks if b in ("0.0.0.0/0", "::/0")]
        if world:
            report_violation(
                message(
                    group,
                    f"the load balancer's security group admits {', '.join(world)} on port "
                    f"{show(get(rule, 'fromPort'))}, though CloudFront is the only door",
                    f"admit only the {CLOUDFRONT_ORIGIN_PREFIX_LIST} prefix list (components/entries/alb.py)",
                ),
                group.urn,
            )


def _check_function(function: Any, sent: set[str], report_violation: ReportViolation) -> None:
    if get(function.props, "tags", ORIGIN_LOCK_TAG) == PENDING:
        return  # the update that moves a live stack to CloudFront: the check comes with the next one
    raw = get(function.props, "environment", "variables", ENV_ORIGIN_SECRETS)
    if is_unknown(raw):
        return
    try:
        accepted = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        accepted = None
    if not accepted:
        report_violation(
            message(
                function,
                f"the HTTP API's function serves every request ({ENV_ORIGIN_SECRETS} is {show(raw)}), so anyone "
                "can call this region around CloudFront",
                f"set {ENV_ORIGIN_SECRETS} to the JSON list of accepted origin secrets (components/regional_backend.py)",
            ),
            function.urn,
        )
    elif sent and not sent <= {str(v) for v in accepted}:
        report_violation(
            message(
                function,
                "CloudFront sends an origin secret this function does not accept, so every request through "
                "the door would get 403",
                "accept the current and the previous secret (global-serverless:originSecretVersion rotates them)",
            ),
            function.urn,
        )


def _after_all(rule: Any, accepting: list[Any]) -> bool:
    """The refusing rule is evaluated after every accepting rule (ALB evaluates lower priorities first)."""
    priority = get(rule.props, "priority")
    if priority is None or is_unknown(priority):
        return True
    others = [get(r.props, "priority") for r in accepting]
    return all(p is None or is_unknown(p) or float(priority) > float(p) for p in others)


def _check_internal(graph: StackGraph, report_violation: ReportViolation) -> None:
    """Global Accelerator alone: its ALBs have no public address, unless the stack's ALBs were created
    internet-facing before (the table's alb-scheme tag; changing the scheme replaces the ALBs)."""
    kept = any(get(table.props, "tags", ALB_SCHEME_TAG) == INTERNET_FACING for table in graph.of_type(t.DYNAMODB_TABLE))
    if kept:
        return
    for balancer in graph.of_type(t.LOAD_BALANCER, t.ALB_LOAD_BALANCER):
        internal = get(balancer.props, "internal")
        if not is_unknown(internal) and internal is not True:
            report_violation(
                message(
                    balancer,
                    f"internal is {show(internal)} though Global Accelerator is the only door: anyone can call "
                    "this region around it",
                    "internal=True (Global Accelerator reaches internal ALBs; keep the VPC's internet gateway)",
                ),
                balancer.urn,
            )


def _front_door_not_bypassable(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    doors = set(deployed_front_doors(graph))
    if doors == {"globalaccelerator"}:
        _check_internal(graph, report_violation)
        return
    if doors != {"cloudfront"}:
        return  # a door whose clients connect to the entries directly keeps them public, by design
    sent: set[str] = set()
    for distribution in graph.of_type(t.CLOUDFRONT_DISTRIBUTION):
        sent |= _sent_secrets(distribution, report_violation)
    # ALBs check the secret with listener rules; behind an HTTP API the function checks it.
    for listener in graph.of_type(*t.LISTENER_TYPES):
        if _serves(listener.props):
            _check_listener(graph, listener, sent, report_violation)
    pending = any(get(r.props, "tags", ORIGIN_LOCK_TAG) == PENDING for r in graph.of_type(*LISTENER_RULE_TYPES))
    if not pending:
        for balancer in graph.of_type(t.LOAD_BALANCER, t.ALB_LOAD_BALANCER):
            for group in graph.dependencies(balancer, "securityGroups", SECURITY_GROUP):
                _check_security_group(group, report_violation)
    for backend in graph.backends():
        if any(entry.resource_type == t.APIGATEWAYV2_API for entry in backend.entries):
            for function in backend.functions:
                _check_function(function, sent, report_violation)


FRONT_DOOR_NOT_BYPASSABLE = StackValidationPolicy(
    name="front-door-not-bypassable",
    description="Behind CloudFront alone, every origin sends the stack's secret and every ALB refuses requests without it.",
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
                )
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
                    )
                )


NO_PLAINTEXT_HOP = ResourceValidationPolicy(
    name="no-plaintext-hop",
    description="No listener serves the API over HTTP and no CloudFront origin is fetched over HTTP.",
    validate=_plaintext,
)


# -- waf-attached-when-configured ----------------------------------------------------------------

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


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
                f"a rate_based_statement with aggregate_key_type IP and limit {limit} (components/web_acl.py)",
            ),
            acl.urn,
        )
    missing = sorted({name for name, _ in WAF_MANAGED_RULE_GROUPS} - groups)
    if missing:
        report_violation(
            message(
                acl, f"AWS managed rule groups {', '.join(missing)} are missing", "add them (components/web_acl.py)"
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
                    "set web_acl_id to the CLOUDFRONT-scope web ACL's ARN (components/web_acl.py)",
                ),
                distribution.urn,
            )
    if set(deployed_front_doors(graph)) <= {"cloudfront"}:
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
                    "an aws.wafv2.WebAclAssociation with the region's REGIONAL web ACL (components/web_acl.py)",
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
