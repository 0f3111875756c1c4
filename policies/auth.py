"""With global-serverless:auth, writes need a token behind every entry.

- jwt-authorizer-on-write-routes: every HTTP API has a JWT authorizer for the configured issuer on its
  PUT and DELETE item routes, and every API function checks the same issuer's tokens itself (the ALB
  backend has no authorizer of its own; behind an HTTP API the check gives the same answers).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies import tokens as t
from policies.common import config, constant, get, is_unknown, message, show
from policies.graph import StackGraph

ITEM_ROUTE: str = constant("ITEM_ROUTE")
ENV_AUTH_ISSUER: str = constant("ENV_AUTH_ISSUER")

ROUTE = "aws:apigatewayv2/route:Route"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
WRITE_METHODS = tuple(t.PACK_FACTS["token_methods"]["writes"])  # functions/api/contract.py item_token_methods


def _belongs(graph: StackGraph, resource: Any, api: Any) -> bool:
    api_id = get(resource.props, "apiId")
    known = api_id is not None and not is_unknown(api_id) and api_id == get(api.props, "id")
    return known or api in graph.dependencies(resource, "apiId")


def _check_api(graph: StackGraph, api: Any, issuer: str, report_violation: ReportViolation) -> None:
    authorizers = {
        a.urn: a
        for a in graph.of_type(AUTHORIZER)
        if _belongs(graph, a, api) and get(a.props, "authorizerType") == "JWT"
    }
    routes = {get(r.props, "routeKey"): r for r in graph.of_type(ROUTE) if _belongs(graph, r, api)}
    if any(is_unknown(key) for key in routes):
        return
    for method in WRITE_METHODS:
        route = routes.get(f"{method} {ITEM_ROUTE}")
        if route is None or get(route.props, "authorizationType") != "JWT":
            kind = get(route.props, "authorizationType") if route is not None else None
            shown = (
                "(no such route: the $default route serves it)"
                if route is None
                else f"(authorizationType {show(kind)})"
            )
            report_violation(
                message(
                    api,
                    f"global-serverless:auth is set but {method} {ITEM_ROUTE} has no JWT authorizer {shown}",
                    f'a route "{method} {ITEM_ROUTE}" with authorization_type="JWT" and the stack JWT authorizer '
                    "(components/regional/entries/http_api.py)",
                ),
                api.urn,
            )
    for authorizer in authorizers.values():
        configured = get(authorizer.props, "jwtConfiguration", "issuer")
        if not is_unknown(configured) and configured != issuer:
            report_violation(
                message(
                    authorizer,
                    f"the JWT authorizer trusts issuer {show(configured)}, not the configured {issuer}",
                    "set jwt_configuration.issuer to global-serverless:auth.issuer",
                ),
                authorizer.urn,
            )


def _check_function(function: Any, issuer: str, report_violation: ReportViolation) -> None:
    configured = get(function.props, "environment", "variables", ENV_AUTH_ISSUER)
    if is_unknown(configured) or configured == issuer:
        return
    report_violation(
        message(
            function,
            f"global-serverless:auth is set but the function checks no tokens ({ENV_AUTH_ISSUER} is {show(configured)})",
            f"set {ENV_AUTH_ISSUER} and the other AUTH_* variables (components/regional/function_settings.py auth_environment)",
        ),
        function.urn,
    )


def _jwt_on_writes(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    issuer = config(args, "authIssuer", "")
    if not issuer:
        return  # the stack has no auth: the README warns that writes are open
    graph = StackGraph(args.resources)
    for api in graph.of_type(t.APIGATEWAYV2_API):
        _check_api(graph, api, issuer, report_violation)
    for backend in graph.backends():
        for function in backend.functions:
            _check_function(function, issuer, report_violation)


JWT_AUTHORIZER_ON_WRITE_ROUTES = StackValidationPolicy(
    name="jwt-authorizer-on-write-routes",
    description="With auth configured, HTTP APIs authorize writes with JWTs and every API function checks tokens.",
    validate=_jwt_on_writes,
    config_schema=PolicyConfigSchema(
        properties={
            "authIssuer": {
                "type": "string",
                "description": "global-serverless:auth.issuer, or an empty string when the stack sets no auth.",
            }
        }
    ),
)
