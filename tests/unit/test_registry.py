"""The registry reads each door's and backend's facts from its own module, without importing it."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest

from components import registry
from ops import cost, report

DOOR_KEYS = tuple(registry.DOORS)
BACKEND_KEYS = tuple(registry.BACKENDS)


@pytest.mark.parametrize(
    ("table", "key"), [*((registry.DOORS, k) for k in DOOR_KEYS), *((registry.BACKENDS, k) for k in BACKEND_KEYS)]
)
def test_the_facts_read_are_the_facts_the_module_defines(table, key):
    module = importlib.import_module(table.modules[key])
    assert table[key] == module.FACTS
    assert getattr(module, table[key].component).__name__ == table[key].component


def test_reading_every_fact_imports_no_component_and_no_pulumi():
    probe = textwrap.dedent("""
        import sys
        from components import registry
        facts = [registry.DOORS[k] for k in registry.DOORS] + [registry.BACKENDS[k] for k in registry.BACKENDS]
        registry.pack_facts()
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("pulumi", "pulumi_aws") or m.startswith(
            ("components.doors", "components.regional", "components.config"))))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_facts_that_are_not_literals_are_refused_naming_the_module(tmp_path, monkeypatch):
    (tmp_path / "computed_door.py").write_text(
        "from components.registry import DoorFacts, Detector\n"
        "NAME = 'x'\n"
        "FACTS = DoorFacts(component=NAME, needs_domain=False, detector=Detector(type='t'),"
        " passes_client_host=True, ipv6=False)\n"
    )
    (tmp_path / "factless_door.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(registry.DOORS, "computed", "computed_door")
    monkeypatch.setitem(registry.DOORS, "factless", "factless_door")
    monkeypatch.setitem(registry.DOORS, "missing", "no_such_door_module")
    with pytest.raises(LookupError, match=r"computed_door: FACTS component= is not a literal"):
        registry.DOORS["computed"]
    with pytest.raises(LookupError, match=r"factless_door: no FACTS = DoorFacts"):
        registry.DOORS["factless"]
    with pytest.raises(LookupError, match=r"no_such_door_module: no such module"):
        registry.DOORS["missing"]


def test_a_door_takes_the_backends_that_offer_what_it_requires():
    for door in DOOR_KEYS:
        facts = registry.DOORS[door]
        assert facts.backends, door
        for backend in BACKEND_KEYS:
            offered = set(facts.requires) <= set(registry.BACKENDS[backend].offers)
            assert (backend in facts.backends) == offered
        if len(facts.backends) < len(BACKEND_KEYS):
            assert facts.why_backends, f"{door} refuses a backend without saying why"


@pytest.mark.parametrize("door", DOOR_KEYS)
def test_a_door_of_its_own_port_gets_it_for_both_public_ports_and_nobody_else_does(door):
    facts = registry.DOORS[door]
    ports = {registry.own_port(door, registry.served_port(domain)) for domain in (True, False)}
    if facts.own_port_offset:
        assert ports == {443 + facts.own_port_offset, 80 + facts.own_port_offset}
        assert not ports & {80, 443}
    else:
        assert ports == {None}
    assert registry.pack_facts()["doors"][door]["own_ports"] == sorted(p for p in ports if p is not None)


@pytest.mark.parametrize(("kind", "key"), [*(("door", k) for k in DOOR_KEYS), *(("backend", k) for k in BACKEND_KEYS)])
def test_every_price_line_and_unit_of_the_facts_is_known_to_ops_cost(kind, key):
    facts = registry.DOORS[key] if kind == "door" else registry.BACKENDS[key]
    prices = cost.load_prices()
    assert facts.cost, f"{kind} {key} has no cost model"
    for line, unit in facts.cost:
        section, _, name = line.partition(".")
        assert isinstance(prices[section][name], (int, float)), line
        assert unit in cost.UNITS, unit


@pytest.mark.parametrize("door", DOOR_KEYS)
def test_every_door_has_a_failover_model_the_report_knows(door):
    assert registry.DOORS[door].failover in report.FAILOVER_MODELS


def test_an_unknown_cost_unit_or_price_is_a_named_error():
    settings = type("S", (), {"regions": ("us-east-1",)})()
    usage = cost.Usage(1e6, 1, 0.2)
    with pytest.raises(cost.CostInputError, match="unknown cost unit 'per-parsec'"):
        cost.priced((("route53.health_check_month", "per-parsec"),), settings, usage, cost.load_prices(), "door x")
    with pytest.raises(cost.CostInputError, match="no price 'route53.nothing'"):
        cost.priced((("route53.nothing", "month"),), settings, usage, cost.load_prices(), "door x")


def test_the_pack_view_is_plain_json_with_the_token_methods_of_the_api_contract():
    import json

    from functions.api.contract import item_token_methods

    facts = json.loads(json.dumps(registry.pack_facts()))
    assert set(facts["doors"]) == set(DOOR_KEYS) and set(facts["backends"]) == set(BACKEND_KEYS)
    assert facts["token_methods"] == {
        "writes": list(item_token_methods(False)),
        "protect_reads": list(item_token_methods(True)),
    }
