"""WebAcl: a WAFv2 web ACL with AWS's managed rule groups and a rate limit per client IP.

Scope CLOUDFRONT lives in us-east-1 and is attached by the distribution (`web_acl_id`); scope REGIONAL
lives in a backend's region and is associated with that region's ALB. Where each goes is planned by
exposure.waf_coverage.

When CloudFront reaches the same ALBs as a direct door (an A/B map), CloudFront's requests arrive from
its shared edge addresses: the regional rate rule skips requests that carry the stack's origin secret
(the edge ACL has already limited those clients by their own address), so one busy edge location is not
taken for one abusive client. The skip matches the current secret only: while a rotation is deployed,
CloudFront's requests with the old value count against the regional limit for the minutes the
distribution takes to switch (offline.diff names that window).

Route 53's health checkers reach the regional ACLs' ALBs from a handful of shared addresses, each checking
every interval: at a low limit the rate rule would block them and Route 53 would take a healthy region out
of rotation. The regional rate rule therefore skips GET of the health path (read-only, answered from the
function's health route): NOT(OR(carries the secret, GET health path)), as WAF allows AND/OR/NOT inside a
rate-based rule's scope-down statement (AWS WAF Developer Guide, "Rate-based rule statement": scope-down).

With `waf.logs`, each ACL logs to a CloudWatch Logs group named aws-waf-logs-... (AWS WAF requires the
prefix: Developer Guide, "Sending web ACL traffic logs to an Amazon CloudWatch Logs log group"; pulumi-aws
WebAclLoggingConfiguration.log_destination_configs) in the ACL's own region (us-east-1 for CLOUDFRONT),
kept LOG_RETENTION_DAYS; the exempt header (the origin secret or the probe token) is redacted from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components.config import WafSettings
from components.regional.function_settings import LOG_RETENTION_DAYS
from components.registry import (
    EDGE_REGION,
    ORIGIN_SECRET_HEADER,
    WAF_MANAGED_RULE_GROUPS,
    WAF_RATE_WINDOW_SECONDS,
    component_type,
)
from components.security.exposure import health_checked, waf_coverage
from components.stack import naming
from components.stack.providers import Providers

TYPE = component_type("WebAcl")
RATE_RULE = "rate-per-client-ip"
LOG_GROUP_PREFIX = "aws-waf-logs-"  # AWS WAF logs only to destinations whose names start with it


@dataclass(frozen=True)
class AclMetric:
    """Where a web ACL's CloudWatch metrics are: AWS/WAFV2 with WebACL = the ACL's visibility metric name."""

    scope: str  # "CLOUDFRONT" | "REGIONAL"
    region: str  # where the metrics (and the ACL) are: us-east-1 for CLOUDFRONT
    metric_name: str


@dataclass(frozen=True)
class WebAclsArgs:
    """What the stack's web ACLs take of the config (built in __main__.py)."""

    waf: Optional[WafSettings]  # None: no web ACL
    strategies: tuple[str, ...]  # the front doors
    backend: str
    regions: tuple[str, ...]
    metric_prefix: str  # <project>-<stack>: every ACL's metric name starts with it
    health_path: str  # what the front doors' health checks request


def acl_metrics(args: WebAclsArgs) -> list[AclMetric]:
    """The stack's web ACLs' metrics, as build_web_acls names them (empty without waf)."""
    if args.waf is None:
        return []
    coverage = waf_coverage(args.strategies, args.backend)
    prefix = args.metric_prefix
    edge = [AclMetric("CLOUDFRONT", EDGE_REGION, f"{prefix}-edge")] if coverage.edge else []
    regional = [AclMetric("REGIONAL", r, f"{prefix}-{r}") for r in args.regions] if coverage.regional else []
    return edge + regional


@dataclass(frozen=True)
class WebAclArgs:
    scope: str  # "CLOUDFRONT" | "REGIONAL"
    rate_limit: int  # requests per client IP per WAF_RATE_WINDOW_SECONDS
    metric_prefix: str
    protects: Optional[pulumi.Input[str]] = None  # REGIONAL: the ALB to associate with
    # Requests carrying this header with this value are not rate-limited here: CloudFront's origin secret
    # (REGIONAL beside CloudFront), or the router's probe token (CLOUDFRONT).
    exempt: Optional[tuple[str, pulumi.Input[str]]] = None
    # REGIONAL beside Route 53's health checks: GET of this path is not rate-limited either.
    health_path: Optional[str] = None
    logs: bool = False  # waf.logs: the ACL's logs to CloudWatch Logs


def _visibility(metric: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


_DOWN = "WebAclRuleStatementRateBasedStatementScopeDownStatement"


def _down(name: str = "") -> Any:
    """pulumi-aws's scope-down argument types (recursive: NOT/AND/OR take scope-down statements)."""
    return getattr(aws.wafv2, f"{_DOWN}{name}Args")


def _exactly(field_to_match: Any, value: pulumi.Input[str]) -> Any:
    """A byte match of the whole field against `value`, untransformed."""
    match = "ByteMatchStatement"
    return _down()(
        byte_match_statement=_down(match)(
            field_to_match=field_to_match,
            positional_constraint="EXACTLY",
            search_string=value,
            text_transformations=[_down(f"{match}TextTransformation")(priority=0, type="NONE")],
        )
    )


def _carrying(header: str, secret: pulumi.Input[str]) -> Any:
    """Requests that carry `secret` in `header` (an exact match)."""
    field = _down("ByteMatchStatementFieldToMatch")
    return _exactly(field(single_header=_down("ByteMatchStatementFieldToMatchSingleHeader")(name=header)), secret)


def _health_path(path: str) -> Any:
    """Requests for the health path (exactly: the path only, without the query string). A match statement,
    not AND(GET, path): inside a rate rule's scope-down, NOT -> OR -> match is as deep as the provider's
    schema nests (terraform-provider-aws wafv2 schemas.go: a scope-down's logical statements wrap match
    statements only). The API answers nothing but GET there, and the health check only reads."""
    field = _down("ByteMatchStatementFieldToMatch")
    return _exactly(field(uri_path=_down("ByteMatchStatementFieldToMatchUriPath")()), path)


def _scope_down(exempt: Optional[tuple[str, pulumi.Input[str]]], health_path: Optional[str]) -> Any:
    """What the rate rule counts: every request but the exempt ones (None: every request)."""
    skipped = ([_carrying(*exempt)] if exempt is not None else []) + (
        [_health_path(health_path)] if health_path is not None else []
    )
    if not skipped:
        return None
    either = skipped[0] if len(skipped) == 1 else _down()(or_statement=_down("OrStatement")(statements=skipped))
    return _down()(not_statement=_down("NotStatement")(statement=either))


def _not_carrying(header: str, secret: pulumi.Input[str]) -> Any:
    """Requests that do not carry `secret` in `header` (an exact match)."""
    return _scope_down((header, secret), None)


class WebAcl(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: WebAclArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=RATE_RULE,
                priority=0,
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        aggregate_key_type="IP",
                        limit=args.rate_limit,
                        evaluation_window_sec=WAF_RATE_WINDOW_SECONDS,
                        scope_down_statement=_scope_down(args.exempt, args.health_path),
                    )
                ),
                visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                    **_visibility(f"{args.metric_prefix}-{RATE_RULE}")
                ),
            )
        ]
        for priority, (group, counted) in enumerate(WAF_MANAGED_RULE_GROUPS, start=1):
            rules.append(
                aws.wafv2.WebAclRuleArgs(
                    name=group,
                    priority=priority,
                    override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                        none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
                    ),
                    statement=aws.wafv2.WebAclRuleStatementArgs(
                        managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                            name=group,
                            vendor_name="AWS",
                            rule_action_overrides=[
                                aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                                    name=rule,
                                    action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                                        count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
                                    ),
                                )
                                for rule in counted
                            ],
                        )
                    ),
                    visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                        **_visibility(f"{args.metric_prefix}-{group}")
                    ),
                )
            )
        acl = aws.wafv2.WebAcl(
            name,
            scope=args.scope,
            description=f"{pulumi.get_project()}-{pulumi.get_stack()}: managed rules and {args.rate_limit} requests "
            f"per client IP per {WAF_RATE_WINDOW_SECONDS // 60} minutes",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(**_visibility(args.metric_prefix)),
            opts=child,
        )
        if args.protects is not None:
            aws.wafv2.WebAclAssociation(f"{name}-alb", resource_arn=args.protects, web_acl_arn=acl.arn, opts=child)
        if args.logs:
            self._logs(name, args, acl, child)
        self.arn = acl.arn
        self.register_outputs({"arn": acl.arn})

    @staticmethod
    def _logs(name: str, args: WebAclArgs, acl: aws.wafv2.WebAcl, opts: pulumi.ResourceOptions) -> None:
        """The ACL's logs to a group in its own region; LogGroup.arn has no ':*' suffix, as WAF wants."""
        group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"{LOG_GROUP_PREFIX}{args.metric_prefix}",
            retention_in_days=LOG_RETENTION_DAYS,
            opts=opts,
        )
        field = aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs
        header = aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logs",
            resource_arn=acl.arn,
            log_destination_configs=[group.arn],
            # The exempt header's value lets a request past the rate rule: it stays out of the logs.
            redacted_fields=[field(single_header=header(name=args.exempt[0]))] if args.exempt is not None else None,
            opts=opts,
        )


def build_web_acls(
    args: WebAclsArgs,
    providers: Providers,
    backends: Mapping[str, Any],
    origin_secret: Optional[pulumi.Input[str]] = None,
    probe_token: Optional[pulumi.Input[str]] = None,
) -> dict[str, pulumi.Output]:
    """The stack's web ACLs where exposure.waf_coverage puts them; scope -> ARN for the doors."""
    if args.waf is None:
        return {}
    coverage = waf_coverage(args.strategies, args.backend)
    prefix = args.metric_prefix
    arns: dict[str, pulumi.Output] = {}
    if coverage.edge:
        # The router's health probes leave from Lambda@Edge's shared addresses, many containers each: the
        # per-address limit would take them for one busy client and the router would fail open.
        from functions.edge.contract import PROBE_TOKEN_HEADER  # only stacks with CloudFront load the router's

        exempt = None if probe_token is None else (PROBE_TOKEN_HEADER, probe_token)
        edge = WebAcl(
            "waf-edge",
            WebAclArgs("CLOUDFRONT", args.waf.rate_limit, f"{prefix}-edge", exempt=exempt, logs=args.waf.logs),
            providers.edge,
        )
        arns["CLOUDFRONT"] = edge.arn
    if coverage.regional:
        cloudfront_exempt: Optional[tuple[str, pulumi.Input[str]]] = None
        if coverage.exempt_cloudfront:
            if origin_secret is None:  # __main__.py makes one whenever exposure.origin_secret, as exempt_cloudfront
                raise ValueError("the regional web ACLs exempt CloudFront's requests by its origin secret: none given")
            cloudfront_exempt = (ORIGIN_SECRET_HEADER, origin_secret)
        for region, backend in backends.items():
            WebAcl(
                naming.regional("waf", region),
                WebAclArgs(
                    "REGIONAL",
                    args.waf.rate_limit,
                    f"{prefix}-{region}",
                    protects=backend.endpoint.alb_arn,
                    exempt=cloudfront_exempt,
                    # Route 53's health checkers reach these ALBs (only where Route 53 checks them: elsewhere the
                    # health path keeps its limit, as any path that reaches the function).
                    health_path=args.health_path if health_checked(args.strategies) else None,
                    logs=args.waf.logs,
                ),
                providers[region],
            )
    return arns
