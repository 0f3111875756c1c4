"""Least privilege for Lambda roles: no `*` or `service:*` actions in any policy a function's role carries."""

from collections.abc import Iterator
from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs, StackValidationPolicy

from policies import tokens as t
from policies.common import (
    UNKNOWN,
    as_list,
    elements,
    get,
    is_unknown,
    message,
    policy_document,
    statements,
    trusted_services,
)
from policies.graph import EDGE_PRINCIPAL, LAMBDA_PRINCIPAL, StackGraph

# AWS managed policies that grant whole services (or everything) by design.
_BROAD_MANAGED_SUFFIXES = ("/AdministratorAccess", "/PowerUserAccess", "FullAccess")
_AWS_MANAGED_PREFIX = ":iam::aws:policy/"


def wildcard_actions(document: Any) -> list[str]:
    """Allowed actions that are `*` or `service:*`, and NotAction grants (allow all but a few)."""
    found = []
    for statement in statements(document):
        if statement.get("Effect", "Allow") != "Allow":
            continue
        for action in as_list(statement.get("Action")):
            if isinstance(action, str) and (action.strip() == "*" or action.strip().endswith(":*")):
                found.append(action)
        if "NotAction" in statement:
            found.append(f"NotAction {as_list(statement['NotAction'])}")
    return found


def _is_broad_managed(arn: Any) -> bool:
    return isinstance(arn, str) and _AWS_MANAGED_PREFIX in arn and arn.endswith(_BROAD_MANAGED_SUFFIXES)


def _role_links(graph: StackGraph, resource: Any) -> list[Any]:
    return graph.linked(resource, "role", get(resource.props, "role"), (t.IAM_ROLE,), ("name", "arn"))


def _documents(graph: StackGraph, role: Any) -> Iterator[tuple[Any, str, Any]]:
    """(resource holding the policy, what it is, document or UNKNOWN) for everything attached to `role`."""
    for inline in elements(role.props, "inlinePolicies"):
        name = get(inline, "name", default="(unnamed)")
        yield role, f"inline policy '{name}'", policy_document(get(inline, "policy"))
    for role_policy in graph.of_type(t.IAM_ROLE_POLICY):
        if role in _role_links(graph, role_policy):
            yield role_policy, "its role policy", policy_document(get(role_policy.props, "policy"))
    managed = [(role, arn) for arn in elements(role.props, "managedPolicyArns")]
    managed += [
        (a, get(a.props, "policyArn"))
        for a in graph.of_type(t.IAM_ROLE_POLICY_ATTACHMENT)
        if role in _role_links(graph, a)
    ]
    for holder, arn in managed:
        if _is_broad_managed(arn):
            yield holder, f"managed policy {arn}", {"Statement": [{"Effect": "Allow", "Action": "*"}]}
            continue
        for policy in graph.linked(holder, "policyArn", arn, (t.IAM_POLICY,), ("arn",)):
            yield policy, f"managed policy '{policy.name}'", policy_document(get(policy.props, "policy"))


def _lambda_roles(graph: StackGraph) -> list[Any]:
    roles = []
    for role in graph.of_type(t.IAM_ROLE):
        services = trusted_services(get(role.props, "assumeRolePolicy"))
        trusts_lambda = not is_unknown(services) and bool({LAMBDA_PRINCIPAL, EDGE_PRINCIPAL} & services)
        if trusts_lambda or graph.functions_assuming(role):
            roles.append(role)
    return roles


def _no_wildcard_actions(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    for role in _lambda_roles(graph):
        for holder, what, document in _documents(graph, role):
            if document is UNKNOWN:
                continue
            for action in wildcard_actions(document):
                report_violation(
                    message(
                        holder,
                        f"{what} of Lambda role '{role.name}' allows {action}: every API of that service "
                        "(or of AWS) for any code running as the function",
                        "list the exact actions the function calls, on its own resources "
                        "(see components/regional/function_settings.py table_access_actions)",
                    ),
                    holder.urn,
                )


LAMBDA_ROLE_NO_WILDCARD_ACTIONS = StackValidationPolicy(
    name="lambda-role-no-wildcard-actions",
    description="Roles Lambda functions assume allow no `*` or `service:*` actions (inline, role policies, "
    "attached policies) and no NotAction grants.",
    validate=_no_wildcard_actions,
)
