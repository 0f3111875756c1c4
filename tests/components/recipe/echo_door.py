"""A throwaway front door, written as the README's recipe says: this module plus one registry line.

"echo": every client of its hostname is answered by the home region (a Route 53 default geolocation record
aliasing the home region's entry). Only the extension recipe test registers it.
"""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.doors.base import FrontDoor, FrontDoorArgs
from components.registry import Detector, DoorFacts, component_type

FACTS = DoorFacts(
    component="EchoFrontDoor",
    needs_domain=True,
    needs_domain_reason="its record lives in the hosted zone",
    detector=Detector(type="aws:route53/record:Record", prop="geolocationRoutingPolicies"),
    passes_client_host=True,
    ipv6=False,
    dials="on-off",
    cost=(("route53.alias_query_per_million", "million-requests"),),
    failover="dns-health-check",
    overhead_ms=1.0,
    colour="tab:purple",
)


class EchoFrontDoor(FrontDoor):
    def __init__(self, name: str, args: FrontDoorArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(component_type(FACTS.component), name, None, opts)
        home = next(e for e in args.endpoints if e.region == args.home_region)
        target = home.alias_for(args.hostname)
        record = aws.route53.Record(
            f"{name}-hostname",
            zone_id=args.dns.zone_id,
            name=args.hostname,
            type="A",
            set_identifier="default",
            geolocation_routing_policies=[aws.route53.RecordGeolocationRoutingPolicyArgs(country="*")],
            aliases=[
                aws.route53.RecordAliasArgs(name=target.dns_name, zone_id=target.zone_id, evaluate_target_health=True)
            ],
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.providers.home, depends_on=list(home.gates_for(args.reaches_entry))
            ),
        )
        hostname = args.hostname
        self.hostname = record.name.apply(lambda _: hostname)
        self.url = self.hostname.apply(lambda h: f"https://{h}")
        self.register_outputs({"url": self.url})
