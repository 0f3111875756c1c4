"""Route 53 latency routing: DNS answers with the lowest-latency region whose health check passes."""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.doors.base import FrontDoor, FrontDoorArgs
from components.regional.endpoint import RegionalEndpoint
from components.registry import ROUTE53_CHECKER_REGIONS, Detector, DoorFacts, component_type
from components.stack import naming

# Everything the rest of the project knows of this door (plain literals: components/registry.py reads them
# without importing this module).
FACTS = DoorFacts(
    component="Route53LatencyFrontDoor",
    needs_domain=True,
    needs_domain_reason="latency records live in its hosted zone",
    detector=Detector(type="aws:route53/record:Record", prop="latencyRoutingPolicies"),
    passes_client_host=True,
    ipv6=False,
    plaintext_hop="clients -> ALB is plain HTTP",
    # A latency record per region: a dial of 0 removes the region's record, any other value keeps all of it.
    dials="on-off",
    checks_entries=True,  # Route 53's health checkers request the health path on each entry
    alarms_in_edge_region=True,  # Route 53 health-check metrics exist in us-east-1 only
    alarms_per_region=1,  # one alarm per health check
    # A health check per region: the HTTPS feature, and the 10-second interval when configured.
    cost=(
        ("route53.health_check_month", "region-month"),
        ("route53.health_check_optional_feature_month", "region-month"),
        ("route53.health_check_optional_feature_month", "region-month-fast-checks"),
    ),
    failover="dns-health-check",
    overhead_ms=0.0,
    colour="tab:blue",
)

TYPE = component_type(FACTS.component)

CHECKER_REGIONS = ROUTE53_CHECKER_REGIONS


class Route53LatencyFrontDoor(FrontDoor):
    def __init__(self, name: str, args: FrontDoorArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(TYPE, name, None, opts)
        # The settings refuse this door without a domain (FACTS.needs_domain), and with one every entry serves HTTPS.
        assert args.hostname is not None and args.dns is not None
        # Health checks and records are global; the home region's provider manages them.
        child = pulumi.ResourceOptions(parent=self, provider=args.providers.home)

        # A region dialled to 0 (trafficDials) has no latency record: DNS never sends anyone there. Its
        # health check stays, so turning the dial back up is one record.
        self.health_check_ids: dict[str, pulumi.Output[str]] = {}
        records = [
            record
            for endpoint in args.endpoints
            if (record := self._region(name, endpoint, args, child, self.health_check_ids)) is not None
        ]

        hostname = args.hostname
        # Derived from the records so that whoever aliases this name (the A/B split) waits for them.
        self.hostname = pulumi.Output.all(*[r.name for r in records]).apply(lambda _: hostname)
        self.url = self.hostname.apply(lambda h: f"https://{h}")
        self.register_outputs({"url": self.url})

    @staticmethod
    def _region(
        name: str, endpoint: RegionalEndpoint, args: FrontDoorArgs, opts: pulumi.ResourceOptions, checks: dict
    ) -> aws.route53.Record | None:
        child_name = naming.regional(name, endpoint.region)
        check = aws.route53.HealthCheck(
            child_name,
            type="HTTPS",
            fqdn=endpoint.hostname,
            port=endpoint.port,
            resource_path=args.health.path,
            request_interval=args.health.interval_seconds,
            failure_threshold=args.health.failure_threshold,
            regions=list(CHECKER_REGIONS),
            enable_sni=True,
            tags={"Name": child_name},
            # The entries admit Route 53's clients (and its checkers) first, and stop only after this goes.
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=list(endpoint.gates_for(args.reaches_entry)))
            ),
        )
        checks[endpoint.region] = check.id
        if args.traffic_dials.get(endpoint.region, 100) == 0:
            return None
        hostname, dns = args.domain()
        target = endpoint.alias_for(hostname)
        return aws.route53.Record(
            child_name,
            zone_id=dns.zone_id,
            name=hostname,
            type="A",
            set_identifier=endpoint.region,
            latency_routing_policies=[aws.route53.RecordLatencyRoutingPolicyArgs(region=endpoint.region)],
            aliases=[
                aws.route53.RecordAliasArgs(name=target.dns_name, zone_id=target.zone_id, evaluate_target_health=True)
            ],
            health_check_id=check.id,
            # Stacks deployed before the main name became a weighted set hold these latency records on
            # the main name; moving them to route53.<name> replaces them, and the weighted member for
            # the main name can only be created once no latency record is left there.
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True)),
        )
