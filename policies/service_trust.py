"""Service trust policies guard against the cross-service confused deputy where AWS documents the guard.

- service-trust-confused-deputy: every IAM role statement that lets an AWS service principal assume the
  role (sts:AssumeRole) carries the condition keys AWS documents for that principal:
  `aws:SourceAccount` (StringEquals, one account, no wildcard) and, where documented, `aws:SourceArn`
  (ArnLike/ArnEquals/StringLike/StringEquals, in the same account). `...IfExists` operators do not
  count: they hold when the service sends no key, which is the request the guard is for.

Principals that require the keys (and what AWS says they must be):

- scheduler.amazonaws.com (EventBridge Scheduler schedule execution roles): both keys; aws:SourceArn
  is a schedule-group ARN, never a schedule ("Do not scope the aws:SourceArn statement to a specific
  schedule or a schedule name prefix. The ARN you specify must be a schedule group.").
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
- codedeploy.amazonaws.com (CodeDeploy service roles): both keys; for Lambda deployments "the value of
  aws:SourceArn should include the CodeDeploy deployment group ARN with which CodeDeploy is allowed to assume
  the IAM role" (arn:...:codedeploy:<region>:<account>:deploymentgroup:<application>/<group>).
  https://docs.aws.amazon.com/codedeploy/latest/userguide/security_confused_deputy.html

Principals exempt from the keys (AWS documents no aws:SourceAccount/aws:SourceArn for them; the
documented trust is the bare service principal; the policy neither requires nor rejects the keys):

- lambda.amazonaws.com (function execution roles): "the role's trust policy must specify the Lambda
  service principal (lambda.amazonaws.com) as a trusted service", with an unconditioned example; what
  Lambda puts in the execution role's credentials context is lambda:SourceFunctionArn (for identity
  policies and SCPs), not trust-policy keys.
  https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
  https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
- edgelambda.amazonaws.com (Lambda@Edge execution roles, beside lambda.amazonaws.com): the documented
  "Example: Role trust policy" lists both principals with no Condition.
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html

Why not require them everywhere: aws:SourceAccount/aws:SourceArn are in the request context only when
the calling service puts them there, and a condition on a key that is absent does not match
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html), so a guard the
service does not support stops the service from assuming the role. AWS keeps no single list of the
services that send the keys (AWS Support, quoted in prowler-cloud/prowler#2810; also #4714, #7021 for
services that broke when the keys were added). So a service principal in neither list is a violation
too: look its documentation up and add it to REQUIRED or EXEMPT here, with the source.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies import tokens as t
from policies.common import UNKNOWN, as_list, get, is_unknown, message, policy_document, show, statements

SOURCE_ACCOUNT = "aws:SourceAccount"
SOURCE_ARN = "aws:SourceArn"

# service principal -> (the keys AWS documents for its trust policy, what a valid aws:SourceArn names)
REQUIRED: dict[str, tuple[tuple[str, ...], str | None]] = {
    "scheduler.amazonaws.com": ((SOURCE_ACCOUNT, SOURCE_ARN), "schedule-group/"),
    "codedeploy.amazonaws.com": ((SOURCE_ACCOUNT, SOURCE_ARN), "deploymentgroup:"),
}
EXEMPT = frozenset({"lambda.amazonaws.com", "edgelambda.amazonaws.com"})

_ACCOUNT_OPERATORS = ("stringequals",)
_ARN_OPERATORS = ("arnlike", "arnequals", "stringlike", "stringequals")
_ASSUME_ACTIONS = ("sts:assumerole", "sts:*", "*")
_FIX_WHERE = "components/security/iam.py service_trust_policy"


def _assumes_role(statement: dict) -> bool:
    return any(str(a).strip().lower() in _ASSUME_ACTIONS for a in as_list(statement.get("Action")))


def _services(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    return [str(s) for s in as_list(principal.get("Service"))] if isinstance(principal, dict) else []


def condition_values(statement: dict, key: str, operators: tuple[str, ...]) -> tuple[list[Any], list[str]]:
    """Values `key` is tested against with one of `operators` (keys and operators are case-insensitive),
    and the other operators it appears under (IfExists, Not..., For...Value), which do not guard."""
    values: list[Any] = []
    others: list[str] = []
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return values, others
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        for name, value in block.items():
            if str(name).lower() != key.lower():
                continue
            if str(operator).lower() in operators:
                values.extend(as_list(value))
            else:
                others.append(str(operator))
    return values, others


def _problems(service: str, statement: dict) -> list[tuple[str, str]]:
    """(problem, fix) for one statement letting a REQUIRED service assume the role."""
    keys, arn_names = REQUIRED[service]
    problems: list[tuple[str, str]] = []
    accounts: list[Any] = []
    if SOURCE_ACCOUNT in keys:
        accounts, others = condition_values(statement, SOURCE_ACCOUNT, _ACCOUNT_OPERATORS)
        bad = [a for a in accounts if not is_unknown(a) and (not str(a).isdigit() or len(str(a)) != 12)]
        if not accounts:
            under = f" (only under {', '.join(others)}, which holds when the key is absent)" if others else ""
            problems.append(
                (
                    f"the trust policy lets {service} assume the role with no StringEquals {SOURCE_ACCOUNT}{under}",
                    f'add "Condition": {{"StringEquals": {{"{SOURCE_ACCOUNT}": "<this account id>"}}}} ({_FIX_WHERE})',
                )
            )
        elif bad:
            problems.append(
                (
                    f"{SOURCE_ACCOUNT} for {service} is {show(bad[0])}, not one 12-digit account id",
                    f"set {SOURCE_ACCOUNT} to this stack's account id (aws.get_caller_identity) ({_FIX_WHERE})",
                )
            )
    if SOURCE_ARN in keys:
        arns, others = condition_values(statement, SOURCE_ARN, _ARN_OPERATORS)
        if not arns:
            under = f" (only under {', '.join(others)}, which holds when the key is absent)" if others else ""
            problems.append(
                (
                    f"the trust policy lets {service} assume the role with no {SOURCE_ARN} condition{under}",
                    f'add "ArnLike": {{"{SOURCE_ARN}": "arn:<partition>:<service>:<region>:<account>:'
                    f'{arn_names or ""}<name>"}} ({_FIX_WHERE})',
                )
            )
        known_accounts = {str(a) for a in accounts if not is_unknown(a)}
        for arn in arns:
            if is_unknown(arn):
                continue
            parts = str(arn).split(":", 5)  # arn:partition:service:region:account:resource (may hold *)
            account, resource = (parts[4], parts[5]) if len(parts) == 6 else (None, "")
            if arn_names and not resource.startswith(arn_names):
                problems.append(
                    (
                        f"{SOURCE_ARN} for {service} is {show(arn)}, not a {arn_names.rstrip('/:')} ARN",
                        f"name the {arn_names.rstrip('/:')} (arn:...:{arn_names}<name>): the service sends that "
                        f"ARN, so any other never matches ({_FIX_WHERE})",
                    )
                )
            elif account is not None and known_accounts and account not in known_accounts:
                problems.append(
                    (
                        f"{SOURCE_ARN} {show(arn)} is in account {account or '(none)'} but "
                        f"{SOURCE_ACCOUNT} is {show(sorted(known_accounts))}",
                        f"use the same account in both keys ({_FIX_WHERE})",
                    )
                )
    return problems


def _service_trust(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.IAM_ROLE:
        return
    document = policy_document(get(args.props, "assumeRolePolicy"))
    if document is UNKNOWN:
        return
    for statement in statements(document):
        if statement.get("Effect", "Allow") != "Allow" or not _assumes_role(statement):
            continue
        for service in _services(statement):
            if service in EXEMPT:
                continue
            if service not in REQUIRED:
                report_violation(
                    message(
                        args,
                        f"the trust policy lets {service} assume the role and the pack does not know whether AWS "
                        f"documents {SOURCE_ACCOUNT}/{SOURCE_ARN} for it",
                        "look up the service's confused-deputy documentation and add the principal to REQUIRED "
                        "(with its keys) or EXEMPT in policies/service_trust.py, citing the page",
                    ),
                    None,
                )
                continue
            for problem, fix in _problems(service, statement):
                report_violation(message(args, problem, fix), None)


SERVICE_TRUST_CONFUSED_DEPUTY = ResourceValidationPolicy(
    name="service-trust-confused-deputy",
    description="Roles a service assumes carry the aws:SourceAccount/aws:SourceArn conditions AWS documents for "
    "that service (EventBridge Scheduler: both, SourceArn a schedule group; CodeDeploy: both, SourceArn a deployment "
    "group); Lambda and Lambda@Edge execution "
    "roles are exempt (no such keys documented).",
    validate=_service_trust,
)
