"""The README's recipe: a new front door or backend is one module plus one registry line, and then everything
works with it: the program deploys it, the pack checks it, ops.cost prices it, ops.report compares it, and a
live stack moves to it and back.

The throwaway door (tests/components/recipe/echo_door.py) and backend (plain_api_entry.py) are registered in a
fresh process (tests/components/recipe/scenario.py), which also rebuilds the pack's view of the registry as
`make pack` does, so nothing imported earlier in this process hides what a real registration would change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components import registry
from tests.components.helpers import program

ROOT = Path(__file__).resolve().parents[2]
RECIPE = "tests.components.recipe"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("recipe")
    done = subprocess.run(
        [sys.executable, "-m", f"{RECIPE}.scenario", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def echo_door(monkeypatch):
    monkeypatch.setitem(registry.DOORS, "echo", f"{RECIPE}.echo_door")


def test_the_program_deploys_the_new_door_and_backend(scenario):
    door, backend = scenario["door"]["program"], scenario["backend"]["program"]
    assert door["frontDoorUrls"] == {"echo": "https://echo.api.example.com"}
    assert "global-serverless:components:EchoFrontDoor" in door["types"]
    assert "global-serverless:components:PlainApiEntry" in backend["types"]
    assert "global-serverless:components:HttpApiEntry" not in backend["types"]
    assert set(backend["regionalEndpoints"]) == {"us-east-1", "eu-west-1", "ap-southeast-1"}


@pytest.mark.parametrize("part", ["door", "backend"])
def test_the_pack_finds_no_mandatory_violation(scenario, part):
    assert scenario[part]["check"]["mandatory"] == []


def test_ops_cost_prices_the_new_door_and_backend(scenario):
    door, backend = scenario["door"]["cost"], scenario["backend"]["cost"]
    assert set(door["doors"]) == {"echo"} and door["total"] > 0
    # The throwaway backend's own price line (its requests), its functions and monitoring.
    assert backend["backend"]["variable"] > 0 and set(backend["doors"]) == {"cloudfront"}


def test_ops_report_has_a_row_for_the_new_door(scenario):
    rows = scenario["door"]["report"]
    assert "echo" in rows and rows["echo"]["cost"] == scenario["door"]["cost"]["total"]
    assert "| echo |" in scenario["door"]["markdown"]
    # Behind the new backend: every door that takes it, the new door among them.
    takes_plainapi = [d for d in registry.DOORS if not registry.DOORS[d].requires] + ["echo"]
    assert sorted(scenario["backend"]["report"]) == sorted(takes_plainapi)


@pytest.mark.parametrize("part", ["door", "backend"])
@pytest.mark.parametrize("direction", ["to", "from"])
def test_a_live_stack_moves_to_it_and_back(scenario, part, direction):
    plan = scenario[part][direction]
    assert plan["clashes"] == [] and plan["hazards"] == []
    assert "create" in plan["ops"] and "delete" in plan["ops"]


def test_its_facts_drive_the_config_rules(echo_door):
    from components.config import ConfigError, parse_settings

    with pytest.raises(ConfigError) as caught:
        parse_settings({"regions": '["us-east-1"]', "frontDoor": "echo"}, "us-east-1")
    assert 'frontDoor "echo" needs a domain' in str(caught.value)
    assert registry.DOORS["echo"].needs_domain_reason in str(caught.value)


def test_a_door_added_in_this_process_deploys_too(echo_door):
    run = program(["us-east-1", "eu-west-1"], backend=registry.DEFAULT_BACKEND, front_door="echo")
    (door,) = [r for r in run.resources if r.type == "global-serverless:components:EchoFrontDoor"]
    (record,) = [r for r in run.resources if r.parent == door.urn]
    assert record.inputs["name"] == "echo.api.example.com"
    (member,) = [r for r in run.resources if r.name == "main-echo"]
    assert member.inputs["setIdentifier"] == "echo"


@pytest.mark.parametrize("strategy", list(registry.DOORS))
def test_every_registered_door_loads_its_component(strategy):
    assert registry.door_type(strategy).endswith(registry.door_class(strategy).__name__)


@pytest.mark.parametrize("backend", list(registry.BACKENDS))
def test_every_registered_backend_loads_its_component(backend):
    assert registry.backend_class(backend).__name__ == registry.BACKENDS[backend].component


def test_a_stack_imports_only_the_doors_it_deploys():
    probe = (
        "import sys; from offline.engine.run import run_program; run_program('dev'); "
        "print(sorted(m for m in sys.modules if m.startswith(('components.doors.', 'components.doors.edge_routing', "
        "'functions.edge')))); "
        # pulumi_aws registers every service module lazily; one is loaded only when something uses it.
        "print(sorted(m for m, v in sys.modules.items() if m.startswith('pulumi_aws.') and m.count('.') == 1 "
        "and type(v).__name__ != '_LazyModule'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded, services = done.stdout.strip().splitlines()
    assert "'pulumi_aws.route53'" in services
    assert "cloudfront" not in services and "globalaccelerator" not in services and "wafv2" not in services
    assert "route53_latency" in loaded  # dev's door
    assert "cloudfront_edge" not in loaded and "functions.edge" not in loaded and "edge_routing" not in loaded
    assert "global_accelerator" not in loaded
