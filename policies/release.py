"""Releases: what serves clients is a published version behind an alias, never the unqualified function.

- entries-invoke-alias: every entry in front of a regional function invokes a qualified function (an alias or a
  version): the ALB target group's Lambda target (TargetGroupAttachment.targetId), the HTTP API's Lambda
  integration (integrationUri) and the permission that lets Elastic Load Balancing or API Gateway invoke it
  (Permission.qualifier, or a qualified ARN as its function). Invoking the unqualified ARN runs $LATEST: whatever
  the last `pulumi up` uploaded reaches every region at once, past any alias a release moves region by region,
  and past SnapStart and provisioned concurrency, which apply to versions and aliases only.
- cold-starts-on-versions: SnapStart and provisioned concurrency are configured where Lambda applies them:
  SnapStart (snapStart.applyOn PublishedVersions) on a function that publishes versions (publish=True; Lambda
  takes snapshots when a version is published, never of $LATEST), provisioned concurrency on an alias or a
  version (a qualifier that is not $LATEST), and never both on one function (Lambda refuses SnapStart with
  provisioned concurrency).

Sources (Lambda developer guide): "Improving startup performance with Lambda SnapStart" (supported features and
limitations: published versions and their aliases only; no provisioned concurrency), "Configuring provisioned
concurrency" (on a version or alias, not $LATEST), "Use Lambda functions as targets of an Application Load
Balancer" (register the function ARN with the alias; the add-permission example grants the aliased ARN), "Create
an alias" and "Working with Lambda function versions" (an unqualified ARN invokes $LATEST).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Optional

from pulumi_policy import ReportViolation, StackValidationArgs, StackValidationPolicy

from policies.common import get, is_unknown, message, show

LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_ALIAS = "aws:lambda/alias:Alias"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
PROVISIONED_CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
TARGET_GROUP_ATTACHMENTS = (
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment",
)
HTTP_API_INTEGRATION = "aws:apigatewayv2/integration:Integration"
# The principals of the entries (ALB target groups, API Gateway integrations).
ENTRY_PRINCIPALS = ("elasticloadbalancing.amazonaws.com", "apigateway.amazonaws.com")
LATEST = "$LATEST"
SNAP_START_ON = "PublishedVersions"
_FIX_WHERE = "components/regional/release.py live_alias; the entry in components/regional/entries/"

# arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
_FUNCTION_ARN = re.compile(r"^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:(?P<name>[\w-]+)(?::(?P<qualifier>[\w$-]+))?$")
# An API Gateway Lambda invoke URI wraps the function ARN: .../functions/<function arn>/invocations
_INVOKE_URI = re.compile(r"^arn:[\w-]+:apigateway:[\w-]+:lambda:path/[\w-]+/functions/(?P<arn>.+)/invocations$")


def _function_ref(value: Any) -> Optional[tuple[str, Optional[str]]]:
    """(function name or ARN, qualifier) that a target id, integration URI or permission function names; None
    when it is not a Lambda function reference (or unknown during preview)."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    invoke = _INVOKE_URI.match(value)
    if invoke:
        value = invoke.group("arn")
    arn = _FUNCTION_ARN.match(value)
    if arn:
        return value.rsplit(":", 1)[0] if arn.group("qualifier") else value, arn.group("qualifier")
    if value.startswith("arn:"):
        return None
    name, _, qualifier = value.partition(":")  # a function name, maybe name:qualifier
    return name, qualifier or None


class _Functions:
    """The stack's Lambda functions by ARN and name, and what feeds an entry's property."""

    def __init__(self, resources: list[Any]):
        self.functions = [r for r in resources if r.resource_type == LAMBDA_FUNCTION]
        self._by_ref: dict[str, Any] = {}
        for function in self.functions:
            arn = get(function.props, "arn")
            parsed = _FUNCTION_ARN.match(arn) if isinstance(arn, str) else None
            for ref in (arn, get(function.props, "name"), parsed.group("name") if parsed else None):
                if isinstance(ref, str) and not is_unknown(ref):
                    self._by_ref[ref] = function

    def named(self, ref: str) -> Optional[Any]:
        return self._by_ref.get(ref)

    def unqualified_target(self, resource: Any, prop: str) -> Optional[tuple[Any, str]]:
        """(function, how it is named) when `prop` names one of the stack's functions with no qualifier or
        $LATEST; during preview (value unknown) when the property comes from a function and from no alias."""
        value = get(resource.props, prop)
        if is_unknown(value) or value is None:
            sources = list((resource.property_dependencies or {}).get(prop, []))
            if any(s.resource_type == LAMBDA_ALIAS for s in sources):
                return None
            functions = [s for s in sources if s.resource_type == LAMBDA_FUNCTION]
            return (functions[0], "the function itself (unknown during preview)") if functions else None
        ref = _function_ref(value)
        if ref is None:
            return None
        function = self.named(ref[0])
        if function is None or (ref[1] is not None and ref[1] != LATEST):
            return None
        return function, str(value)


def _entries(args: StackValidationArgs) -> Iterable[tuple[Any, str]]:
    """(resource, the property naming what it invokes) for each entry that invokes a function."""
    for resource in args.resources:
        if resource.resource_type in TARGET_GROUP_ATTACHMENTS:
            yield resource, "targetId"
        elif resource.resource_type == HTTP_API_INTEGRATION and get(resource.props, "integrationType") == "AWS_PROXY":
            yield resource, "integrationUri"


def _invokes_alias(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    functions = _Functions(list(args.resources))
    for resource, prop in _entries(args):
        found = functions.unqualified_target(resource, prop)
        if found is None:
            continue
        function, named = found
        report_violation(
            message(
                resource,
                f"{prop} is {show(named)}: it invokes the unqualified function '{function.name}' ($LATEST), so new "
                "code reaches clients with the upload, past the `live` alias and its releases",
                f"invoke the function's `live` alias (alias.arn) ({_FIX_WHERE})",
            ),
            resource.urn,
        )
    for permission in (r for r in args.resources if r.resource_type == LAMBDA_PERMISSION):
        if get(permission.props, "principal") not in ENTRY_PRINCIPALS:
            continue
        qualifier = get(permission.props, "qualifier")
        if is_unknown(qualifier) or (isinstance(qualifier, str) and qualifier and qualifier != LATEST):
            continue
        if qualifier is None and (permission.property_dependencies or {}).get("qualifier"):
            continue  # computed from another resource (an alias's name) during preview
        found = functions.unqualified_target(permission, "function")
        if found is None:
            continue
        function, _ = found
        report_violation(
            message(
                permission,
                f"lets {get(permission.props, 'principal')} invoke '{function.name}' with qualifier "
                f"{show(qualifier)}: the unqualified function ($LATEST), not the alias the entry invokes",
                f"set qualifier to the alias's name (qualifier=alias.name) ({_FIX_WHERE})",
            ),
            permission.urn,
        )


ENTRIES_INVOKE_ALIAS = StackValidationPolicy(
    name="entries-invoke-alias",
    description="ALB Lambda targets, HTTP API Lambda integrations and the permissions behind them invoke an alias "
    "(or version) of the function, never the unqualified function ($LATEST).",
    validate=_invokes_alias,
)


def _qualifies(value: Any) -> bool:
    return is_unknown(value) or (isinstance(value, str) and value != "" and value != LATEST)


def _cold_starts(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    functions = _Functions(list(args.resources))
    provisioned: dict[str, list[Any]] = {}
    for config in (r for r in args.resources if r.resource_type == PROVISIONED_CONCURRENCY):
        qualifier = get(config.props, "qualifier")
        if not _qualifies(qualifier):
            report_violation(
                message(
                    config,
                    f"qualifier is {show(qualifier)}: provisioned concurrency applies to an alias or a published "
                    "version, never $LATEST",
                    f"set qualifier to the `live` alias's name (qualifier=alias.name) ({_FIX_WHERE})",
                ),
                config.urn,
            )
        ref = _function_ref(get(config.props, "functionName"))
        function = functions.named(ref[0]) if ref is not None else None
        if function is None:
            sources = (config.property_dependencies or {}).get("functionName", [])
            function = next((s for s in sources if s.resource_type == LAMBDA_FUNCTION), None)
        if function is not None:
            provisioned.setdefault(function.urn, []).append(config)
    for function in functions.functions:
        apply_on = get(function.props, "snapStart", "applyOn")
        if apply_on is None or is_unknown(apply_on) or apply_on == "None":
            continue
        publish = get(function.props, "publish")
        if publish is not True and not is_unknown(publish):
            report_violation(
                message(
                    function,
                    f"SnapStart applies on {show(apply_on)} but publish is {show(publish)}: Lambda snapshots "
                    "published versions only, and $LATEST runs without it",
                    f"set publish=True and invoke the `live` alias ({_FIX_WHERE})",
                ),
                function.urn,
            )
        if provisioned.get(function.urn):
            report_violation(
                message(
                    function,
                    "has SnapStart and provisioned concurrency: Lambda refuses SnapStart with provisioned concurrency",
                    "choose one: snapStart or provisionedConcurrency in the stack config",
                ),
                function.urn,
            )


COLD_STARTS_ON_VERSIONS = StackValidationPolicy(
    name="cold-starts-on-versions",
    description="SnapStart is on only for functions that publish versions, provisioned concurrency is on an alias "
    "or version (never $LATEST), and no function has both.",
    validate=_cold_starts,
)
