"""One set of methods that need a token (functions/api/contract.py), used by the function, both entries, the
pack and ops.cost."""

from __future__ import annotations

import pytest

from functions.api import contract

METHODS = ("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE")


@pytest.mark.parametrize("protect_reads", [False, True])
def test_the_function_asks_for_a_token_on_exactly_the_contracts_methods(protect_reads):
    from functions.api.access.auth import Authenticator
    from functions.api.settings import TokenSettings

    auth = Authenticator(
        TokenSettings(issuer="https://issuer.example.com", audience="api", protect_reads=protect_reads), keys=object()
    )
    for method in METHODS:
        assert auth.requires(method, "/items/a", "/health") == contract.needs_token(method, protect_reads)
        assert not auth.requires(method, "/health", "/health")


@pytest.mark.parametrize("protect_reads", [False, True])
def test_entries_check_the_item_routes_share_of_the_set(protect_reads):
    entry_methods = contract.item_token_methods(protect_reads)
    assert set(entry_methods) == {m for m in contract.ITEM_ROUTE_METHODS if contract.needs_token(m, protect_reads)}
    assert entry_methods == (("PUT", "DELETE", "GET") if protect_reads else ("PUT", "DELETE"))


def test_the_pack_reads_the_same_set():
    from components.registry import pack_facts
    from policies import auth, tokens

    assert tuple(auth.WRITE_METHODS) == contract.item_token_methods(False)
    shipped = {kind: list(methods) for kind, methods in tokens.PACK_FACTS["token_methods"].items()}
    assert shipped == pack_facts()["token_methods"]


@pytest.mark.parametrize("protect_reads", [False, True])
def test_the_program_builds_jwt_routes_and_rules_for_exactly_that_set(protect_reads):
    from tests.components.helpers import program

    auth = {"issuer": "https://issuer.example.com", "audience": "api", "protectReads": protect_reads}
    run = program(["us-east-1"], backend="apigateway", front_door="route53", auth=auth)
    routes = {r.inputs["routeKey"].split()[0] for r in run.of_type("aws:apigatewayv2/route:Route")}
    assert routes - {"$default"} == set(contract.item_token_methods(protect_reads))
