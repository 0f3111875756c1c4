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
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components import naming
from components.catalogue import ORIGIN_SECRET_HEADER, WAF_MANAGED_RULE_GROUPS, WAF_RATE_WINDOW_SECONDS, component_type
from components.config import Settings
from components.exposure import waf_coverage
from components.providers import Providers

TYPE = component_type("WebAcl")
RATE_RULE = "rate-per-client-ip"


@dataclass(frozen=True)
class WebAclArgs:
    scope: str  # "CLOUDFRONT" | "REGIONAL"
    rate_limit: int  # requests per client IP per WAF_RATE_WINDOW_SECONDS
    metric_prefix: str
    protects: Optional[pulumi.Input[str]] = None  # REGIONAL: the ALB to associate with
    # Requests carrying this header with this value are not rate-limited here: CloudFront's origin secret
    # (REGIONAL beside CloudFront), or the router's probe token (CLOUDFRONT).
    exempt: Optional[tuple[str, pulumi.Input[str]]] = None


def _visibility(metric: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def _not_carrying(header: str, secret: pulumi.Input[str]) -> Any:
    """Requests that do not carry `secret` in `header` (an exact match)."""
    down = "WebAclRuleStatementRateBasedStatementScopeDownStatement"
    args = {name: getattr(aws.wafv2, f"{down}{name}Args") for name in ("", "NotStatement", "ByteMatchStatement")}
    match = "ByteMatchStatement"
    field = getattr(aws.wafv2, f"{down}{match}FieldToMatchArgs")
    header_field = getattr(aws.wafv2, f"{down}{match}FieldToMatchSingleHeaderArgs")
    transformation = getattr(aws.wafv2, f"{down}{match}TextTransformationArgs")
    carries_secret = args[""](
        byte_match_statement=args["ByteMatchStatement"](
            field_to_match=field(single_header=header_field(name=header)),
            positional_constraint="EXACTLY",
            search_string=secret,
            text_transformations=[transformation(priority=0, type="NONE")],
        )
    )
    return args[""](not_statement=args["NotStatement"](statement=carries_secret))


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
                        scope_down_statement=None if args.exempt is None else _not_carrying(*args.exempt),
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
        self.arn = acl.arn
        self.register_outputs({"arn": acl.arn})


def build_web_acls(
    settings: Settings,
    providers: Providers,
    backends: Mapping[str, Any],
    origin_secret: Optional[pulumi.Input[str]] = None,
    probe_token: Optional[pulumi.Input[str]] = None,
) -> dict[str, pulumi.Output]:
    """The stack's web ACLs where exposure.waf_coverage puts them; scope -> ARN for the doors."""
    if settings.waf is None:
        return {}
    coverage = waf_coverage(settings.strategies, settings.backend)
    prefix = f"{settings.project}-{settings.stack}"
    arns: dict[str, pulumi.Output] = {}
    if coverage.edge:
        # The router's health probes leave from Lambda@Edge's shared addresses, many containers each: the
        # per-address limit would take them for one busy client and the router would fail open.
        from functions.edge.contract import PROBE_TOKEN_HEADER  # only stacks with CloudFront load the router's

        exempt = None if probe_token is None else (PROBE_TOKEN_HEADER, probe_token)
        edge = WebAcl(
            "waf-edge",
            WebAclArgs("CLOUDFRONT", settings.waf.rate_limit, f"{prefix}-edge", exempt=exempt),
            providers.edge,
        )
        arns["CLOUDFRONT"] = edge.arn
    if coverage.regional:
        for region, backend in backends.items():
            WebAcl(
                naming.regional("waf", region),
                WebAclArgs(
                    "REGIONAL",
                    settings.waf.rate_limit,
                    f"{prefix}-{region}",
                    protects=backend.endpoint.alb_arn,
                    exempt=(ORIGIN_SECRET_HEADER, origin_secret) if coverage.exempt_cloudfront else None,
                ),
                providers[region],
            )
    return arns
