"""The README's recipe: a new front door is one module and one catalogue entry, and the program deploys it."""

import textwrap

import pytest

from components import registry
from tests.components.helpers import program

# What a contributor writes, following the recipe: a FrontDoor whose children answer on its hostname.
THROWAWAY_DOOR = textwrap.dedent("""
    import pulumi
    import pulumi_aws as aws

    from components.registry import component_type, Detector, DoorFacts
    from components.doors.base import FrontDoor, FrontDoorArgs

    FACTS = DoorFacts(
        component="EchoFrontDoor",
        needs_domain=True,
        needs_domain_reason="its record lives in the hosted zone",
        detector=Detector(type="aws:route53/record:Record", prop="aliases"),
        passes_client_host=True,
        ipv6=False,
    )


    class EchoFrontDoor(FrontDoor):
        def __init__(self, name: str, args: FrontDoorArgs, opts=None):
            super().__init__(component_type("EchoFrontDoor"), name, None, opts)
            home = args.endpoints[0]
            record = aws.route53.Record(
                f"{name}-hostname", zone_id=args.dns.zone_id, name=args.hostname, type="A",
                aliases=[aws.route53.RecordAliasArgs(name=home.alias_for(args.hostname).dns_name,
                                                     zone_id=home.alias_for(args.hostname).zone_id,
                                                     evaluate_target_health=True)],
                opts=pulumi.ResourceOptions(parent=self, provider=args.providers.home),
            )
            hostname = args.hostname
            self.hostname = record.name.apply(lambda _: hostname)
            self.url = self.hostname.apply(lambda h: f"https://{h}")
            self.register_outputs({"url": self.url})
""")


@pytest.fixture
def echo_door(tmp_path, monkeypatch):
    (tmp_path / "echo_door.py").write_text(THROWAWAY_DOOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(registry.DOORS, "echo", "echo_door")


def test_a_door_added_by_the_recipe_is_configured_and_deployed(echo_door):
    run = program(["us-east-1", "eu-west-1"], backend="apigateway", front_door="echo")
    (door,) = [r for r in run.resources if r.type == "global-serverless:components:EchoFrontDoor"]
    (record,) = [r for r in run.resources if r.parent == door.urn]
    assert record.inputs["name"] == "echo.api.example.com"
    # The main name's weighted set gets its member, and each region's API serves the door's name.
    (member,) = [r for r in run.resources if r.name == "main-echo"]
    assert member.inputs["setIdentifier"] == "echo"
    assert member.inputs["aliases"][0]["name"] == "echo.api.example.com"
    domains = {(d.region, d.inputs["domainName"]) for d in run.of_type("aws:apigatewayv2/domainName:DomainName")}
    assert {("us-east-1", "echo.api.example.com"), ("eu-west-1", "echo.api.example.com")} <= domains
    assert run.outputs["frontDoorUrls"] == {"echo": "https://echo.api.example.com"}


def test_its_facts_drive_the_config_rules(echo_door):
    from components.config import ConfigError, parse_settings

    with pytest.raises(ConfigError) as caught:
        parse_settings({"regions": '["us-east-1"]', "frontDoor": "echo"}, "us-east-1")
    assert 'frontDoor "echo" needs a domain' in str(caught.value)


def test_every_registered_door_and_backend_loads_its_component():
    for strategy in registry.DOORS:
        door = registry.door_class(strategy)
        assert registry.door_type(strategy).endswith(door.__name__)
    for backend in registry.BACKENDS:
        assert registry.backend_class(backend).__name__.endswith("Entry")


def test_a_stack_imports_only_the_doors_it_deploys():
    import subprocess
    import sys

    probe = (
        "import sys; from offline.run import run_program; run_program('dev'); "
        "print(sorted(m for m in sys.modules if m.startswith(('components.doors.', 'components.doors.edge_routing', "
        "'functions.edge')))); "
        # pulumi_aws registers every service module lazily; one is loaded only when something uses it.
        "print(sorted(m for m, v in sys.modules.items() if m.startswith('pulumi_aws.') and m.count('.') == 1 "
        "and type(v).__name__ != '_LazyModule'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded, services = done.stdout.strip().splitlines()
    assert "'pulumi_aws.route53'" in services
    assert "cloudfront" not in services and "globalaccelerator" not in services and "wafv2" not in services
    assert "route53_latency" in loaded  # dev's door
    assert "cloudfront_edge" not in loaded and "functions.edge" not in loaded and "edge_routing" not in loaded
    assert "global_accelerator" not in loaded
