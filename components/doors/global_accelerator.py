"""Global Accelerator: two anycast IPs; AWS's backbone carries each connection to the nearest healthy ALB."""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.doors.base import FrontDoor, FrontDoorArgs
from components.regional.endpoint import RegionalEndpoint
from components.regional.entries.alb import GA_HTTP_REDIRECT_PORT
from components.registry import Detector, DoorFacts, component_type
from components.stack import naming

# Everything the rest of the project knows of this door (plain literals: components/registry.py reads them
# without importing this module).
FACTS = DoorFacts(
    component="GlobalAcceleratorFrontDoor",
    needs_domain=False,
    detector=Detector(type="aws:globalaccelerator/accelerator:Accelerator", single=True),
    passes_client_host=True,
    ipv6=False,
    requires=("load-balancer",),
    why_backends="Global Accelerator endpoints are ALB, NLB, EC2 or Elastic IP only",
    plaintext_hop="clients -> Global Accelerator -> ALB is plain HTTP on port 80",
    # GA reaches internal ALBs (the VPC keeps the internet gateway GA requires).
    reaches_entry="private-network",
    # The ALB listens for GA on ports of its own (443 -> 8443, 80 -> 8080: an endpoint-group port override),
    # so the function can tell GA's requests apart by X-Forwarded-Port.
    own_port_offset=8000,
    cost=(("globalaccelerator.accelerator_hour", "hour"), ("globalaccelerator.premium_per_gb", "gb-in-out")),
    failover="target-group-health-check",
    overhead_ms=0.0,
    colour="tab:orange",
    legacy_main_records=(("A", "globalaccelerator-dns"),),
)

TYPE = component_type(FACTS.component)
ENDPOINT_WEIGHT = 128  # the AWS default, stated so every region visibly gets the same share


# Plain-HTTP clients of the accelerator's name: without a domain the ALBs serve them, with one they
# answer a redirect to HTTPS (components/regional/entries/alb.py), so the accelerator always listens on 80.
HTTP_PORT = 80


def endpoint_port(listener_port: int, endpoint: RegionalEndpoint) -> int:
    """Where the ALB listens for one of GA's ports: FACTS.own_port_offset above the port it serves, and with a
    domain (HTTPS served) port 80 on the ALB's redirect listener for GA."""
    if listener_port == HTTP_PORT and endpoint.protocol == "https":
        return GA_HTTP_REDIRECT_PORT
    port = FACTS.own_port(listener_port)
    if port is None:
        raise ValueError("Global Accelerator reaches the ALBs on listeners of its own: FACTS.own_port_offset is unset")
    return port


def listener_ports(endpoints: tuple[RegionalEndpoint, ...]) -> tuple[int, ...]:
    """The ports the accelerator listens on: the ALBs' served port (443 with a domain, 80 without one: no
    certificate) and 80, which with a domain the ALBs answer with a redirect to https://<same host>:443.

    Each listener port reaches the ALB on a listener the ALB keeps for GA (the endpoint groups' port
    overrides, `endpoint_port`): a port the ALBs did not listen on would accept connections and then
    reset them.
    """
    return tuple(sorted({HTTP_PORT, *(endpoint.port for endpoint in endpoints)}))


class GlobalAcceleratorFrontDoor(FrontDoor):
    def __init__(self, name: str, args: FrontDoorArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(TYPE, name, None, opts)
        # Global Accelerator's API is global (the provider calls it in us-west-2 whatever its region).
        child = pulumi.ResourceOptions(parent=self, provider=args.providers.home)

        accelerator = aws.globalaccelerator.Accelerator(name, ip_address_type="IPV4", enabled=True, opts=child)
        # The accelerator's static anycast addresses: what clients and firewalls may pin.
        self.details = {
            "staticIps": accelerator.ip_sets.apply(
                lambda sets: [address for ip_set in sets or [] for address in ip_set.ip_addresses or []]
            ),
            "dnsName": accelerator.dns_name,
        }
        listener = aws.globalaccelerator.Listener(
            f"{name}-tcp",
            accelerator_arn=accelerator.arn,
            protocol="TCP",
            port_ranges=[
                aws.globalaccelerator.ListenerPortRangeArgs(from_port=port, to_port=port)
                for port in listener_ports(args.endpoints)
            ],
            opts=child,
        )
        for endpoint in args.endpoints:
            aws.globalaccelerator.EndpointGroup(
                naming.regional(name, endpoint.region),
                listener_arn=listener.arn,
                endpoint_group_region=endpoint.region,
                # No health_check_* here: for ALB endpoints GA uses the ALB target group's health
                # check (enabled explicitly on the target group); group settings apply to EC2/EIP only.
                endpoint_configurations=[
                    aws.globalaccelerator.EndpointGroupEndpointConfigurationArgs(
                        endpoint_id=endpoint.alb_arn, client_ip_preservation_enabled=True, weight=ENDPOINT_WEIGHT
                    )
                ],
                traffic_dial_percentage=args.traffic_dials.get(endpoint.region, 100),
                # The ALB listens for GA on ports of its own, so the function can tell GA's requests apart,
                # and GA's port 80 never meets the clients' own port-80 rules of a direct door on the ALB.
                # Port overrides map a listener port to an endpoint port ("the listener receives user
                # traffic on ports 80 and 443, but your accelerator routes that traffic to ports 1080 and
                # 1443": Global Accelerator API reference, PortOverride; pulumi-aws EndpointGroupPortOverrideArgs).
                port_overrides=[
                    aws.globalaccelerator.EndpointGroupPortOverrideArgs(
                        listener_port=port, endpoint_port=endpoint_port(port, endpoint)
                    )
                    for port in listener_ports(args.endpoints)
                ],
                # That listener and its ingress rules first: GA must not send to a port nothing admits.
                opts=pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(depends_on=list(endpoint.gates_for(args.reaches_entry)))
                ),
            )

        if args.hostname is None:
            self.hostname = accelerator.dns_name
            self.url = accelerator.dns_name.apply(lambda h: f"http://{h}")
        else:
            hostname, dns = args.domain()
            record = aws.route53.Record(
                # Not "-dns": that name held the main name before, and now lives on as its weighted member.
                f"{name}-hostname",
                zone_id=dns.zone_id,
                name=hostname,
                type="A",
                # One plain record: GA does the failover, so there is no alternative answer to choose.
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=accelerator.dns_name, zone_id=accelerator.hosted_zone_id, evaluate_target_health=False
                    )
                ],
                opts=child,
            )
            # Through the record: whoever aliases this name (the A/B split) waits for it.
            self.hostname = record.name.apply(lambda _: hostname)
            self.url = self.hostname.apply(lambda h: f"https://{h}")
        self.register_outputs({"url": self.url})
