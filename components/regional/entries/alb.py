"""AlbEntry: a small VPC, an ALB (internal unless a door sends clients to it directly: components/security/exposure.py)
and a Lambda target group in front of the regional function."""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import AuthSettings
from components.observability.access_logs import AccessLogBucket, AccessLogBucketArgs
from components.regional import function_settings as plan
from components.regional.endpoint import AliasTarget, RegionalEndpoint
from components.regional.entries.base import ITEMS_PATH, EntryArgs, RegionalEntry
from components.registry import (
    ALB_SSL_POLICY,
    CLOUDFRONT_ORIGIN_PREFIX_LIST,
    ELB_PRINCIPAL,
    ORIGIN_SECRET_HEADER,
    BackendFacts,
    component_type,
    served_port,
)
from components.security import exposure
from components.security.origin_lockdown import ORIGIN_LOCKDOWN_PRIORITY, OriginLockdown, OriginLockdownArgs
from components.stack import naming
from functions.api.contract import item_token_methods

KEY = "alb"  # this backend's config value (components/registry.py BACKENDS)
# Everything the rest of the project knows of this backend (plain literals: components/registry.py reads them
# without importing this module).
FACTS = BackendFacts(
    component="AlbEntry",
    description="Application Load Balancer in a small VPC, Lambda target group",
    https_without_domain=False,
    entry_types=("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    offers=("load-balancer",),  # Global Accelerator endpoints are load balancers (or EC2, EIP)
    private_network=True,
    listener_rules=True,
    takes_web_acl=True,
    alarms_per_region=5,  # entry 5xx, function p99, throttles, the live alias's errors, the load balancer's own 5xx
    cost=(
        ("alb.hour", "region-hour"),
        ("alb.lcu_hour", "lcu-hours"),
        ("s3.put_per_1000", "elb-access-log-files-1k"),
        ("s3.standard_gb_month", "elb-access-log-gb-month"),
    ),
)

TYPE = component_type(FACTS.component)
# The target group's name by scheme. Neither is the name earlier releases used ("tg", for either scheme):
# a stack upgraded in the same update that changes its ALBs' scheme gets a new group too.
TARGET_GROUP_KIND = {False: "tg-pub", True: "tg-int"}

# Listener rule priorities on the served listener (1-50000, lower first): CloudFront's secret per
# version, then "open" while a direct door exists, then the lockdown's 403 (components/security/origin_lockdown.py).
# With auth, each forwarding rule has a twin one priority ahead that validates the token of the requests
# that need one (jwt-validation, then forward).
OPEN_PRIORITY = ORIGIN_LOCKDOWN_PRIORITY - 1
TOKEN_OPEN_PRIORITY = OPEN_PRIORITY - 1
TOKEN_GA_PRIORITY = 1  # on Global Accelerator's own listener
# With a domain, Global Accelerator's port 80 (plain-HTTP clients of its name) reaches this port, where a
# listener of GA's own answers a redirect to HTTPS. Not the ALB's own 80: there GA's ingress rule would be
# the same permission as a direct door's `-in-clients-80` rule, which EC2 refuses while the other exists
# (InvalidPermission.Duplicate) at every switch between route53 and GA alone. Not GA's own port for 80 (FACTS.own_port)
# either: that is GA's forwarding listener without a domain, and adding or removing the domain would then
# create one listener on a port the other still holds (ELB: DuplicateListener).
GA_HTTP_REDIRECT_PORT = 8081


def accept_priority(version: int) -> int:
    """The accept rule's priority for a secret version (1..MAX_ORIGIN_SECRET_VERSION): two per version (the
    rule and its token twin), so old and new rules coexist during a rotation (ELB refuses a priority twice)."""
    return 10 + 2 * version


def token_accept_priority(version: int) -> int:
    return accept_priority(version) - 1


class TokenCheck:
    """The ALB's own JWT check (ELB user guide, "Verify JWTs using an Application Load Balancer"): RS256
    signature against the issuer's key set, `iss`, `exp` (and `nbf`, `iat` when present); on a missing or
    invalid token the load balancer rejects the request itself. The audience and scopes are checked by the
    function behind it: ELB does not document how an additional claim matches a claim that is a string in
    one token and a list in another (`aud`), nor Cognito access tokens, which carry `client_id` instead."""

    def __init__(self, auth: AuthSettings, group: aws.lb.TargetGroup):
        key_set = auth.key_set_url
        if key_set is None:  # components/config/rules.py key_set refuses such a stack
            raise ValueError(f"the ALB validates tokens with the issuer's key set, and {auth.issuer} names none")
        self.methods = list(item_token_methods(auth.protect_reads))
        self.validation = aws.lb.ListenerRuleActionJwtValidationArgs(issuer=auth.issuer, jwks_endpoint=key_set)
        self.group = group

    def rule(
        self, name: str, listener: aws.lb.Listener, priority: int, conditions: list, opts: pulumi.ResourceOptions
    ) -> aws.lb.ListenerRule:
        """The requests that need a token (their methods on the item routes, plus `conditions`): validated,
        then forwarded; one priority ahead of the rule that forwards the rest."""
        return aws.lb.ListenerRule(
            name,
            listener_arn=listener.arn,
            priority=priority,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    http_request_method=aws.lb.ListenerRuleConditionHttpRequestMethodArgs(values=self.methods)
                ),
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[f"{ITEMS_PATH}/*"])
                ),
                *conditions,
            ],
            actions=[
                aws.lb.ListenerRuleActionArgs(type="jwt-validation", order=1, jwt_validation=self.validation),
                aws.lb.ListenerRuleActionArgs(type="forward", order=2, target_group_arn=self.group.arn),
            ],
            opts=opts,
        )


class AlbEntry(RegionalEntry):
    def __init__(
        self, name: str, args: EntryArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc", cidr_block=plan.VPC_CIDR, enable_dns_hostnames=True, enable_dns_support=True, opts=child
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, opts=child)
        routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            opts=child,
        )
        # The region's standard Availability Zones only: once an account opts in to a Local Zone or a
        # Wavelength Zone, DescribeAvailabilityZones lists it too, and the first two names could then be
        # zones outside the region's own (opt-in-status "opt-in-not-required" means an Availability Zone:
        # EC2 API reference, DescribeAvailabilityZones, filter opt-in-status and AvailabilityZone.OptInStatus;
        # the installed pulumi-aws get_availability_zones docstring, "Only Availability Zones (no Local Zones)").
        zones = aws.get_availability_zones_output(
            state="available",
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
            opts=pulumi.InvokeOutputOptions(provider=provider),
        )
        subnets, associations = [], []
        for index, cidr in enumerate(plan.PUBLIC_SUBNET_CIDRS):
            # Subnet names carry the AZ slot (a, b), which is stable; the AZ itself is looked up.
            slot = "ab"[index]
            subnet = aws.ec2.Subnet(
                f"{name}-public-{slot}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zones.names.apply(lambda names, i=index: names[i]),
                map_public_ip_on_launch=False,
                # The AZ is chosen once, at creation: when AWS adds or retires a zone the looked-up
                # list shifts, and a changed AZ would replace the subnet and with it the load balancer.
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(ignore_changes=["availability_zone"])),
            )
            associations.append(
                aws.ec2.RouteTableAssociation(
                    f"{name}-public-{slot}", subnet_id=subnet.id, route_table_id=routes.id, opts=child
                )
            )
            subnets.append(subnet)

        options = args.options
        public_port = served_port(args.domain is not None)
        # A door that reaches the ALB privately (Global Accelerator) gets a listener of its own.
        ga_port = options.own_port(public_port)
        ga_redirect_port = GA_HTTP_REDIRECT_PORT if ga_port is not None and args.domain is not None else None
        # No inline rules: each kind of client gets rule resources of its own (components/security/exposure.py),
        # so a door's rule is created before the door and deleted after it. They replace "-sg", whose
        # inline rules were fixed per update; the ALB moves to these groups in place.
        security_group = aws.ec2.SecurityGroup(
            f"{name}-entry-sg",
            vpc_id=vpc.id,
            description="API load balancer: clients and Global Accelerator (one rule resource each)",
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
            opts=child,
        )
        # CloudFront's origin-facing prefix list weighs 55 of a group's 60 rules: it gets a group of its own,
        # so no mix of doors (or the moment of a switch, when old and new rules coexist) exceeds the quota.
        edge_group = aws.ec2.SecurityGroup(
            f"{name}-cloudfront-sg",
            vpc_id=vpc.id,
            # EC2 takes a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* here (no apostrophe).
            description="API load balancer: CloudFront origin-facing addresses (CloudFront as the only public door)",
            opts=child,
        )
        gates: dict[str, tuple[pulumi.Resource, ...]] = {}
        if options.direct_clients:
            # Route 53's clients connect to the ALB itself: the web ports, to everyone.
            gates[exposure.CLIENT] = tuple(
                rule
                for port in (80, 443)
                for rule in self._open(f"{name}-in-clients-{port}", security_group, port, f"clients on {port}", child)
            )
        if ga_port is not None:
            # Client IP preservation: Global Accelerator's packets carry the clients' own addresses.
            gates[exposure.PRIVATE_NETWORK] = tuple(
                rule
                for port in (ga_port, ga_redirect_port)
                if port is not None
                for rule in self._open(
                    f"{name}-in-ga-{port}", security_group, port, f"Global Accelerator on {port}", child
                )
            )
        if args.origin_secret is not None:
            gates[exposure.EDGE] = ()
        if options.locked:
            cloudfront = aws.ec2.get_managed_prefix_list_output(
                name=CLOUDFRONT_ORIGIN_PREFIX_LIST, opts=pulumi.InvokeOutputOptions(provider=provider)
            )
            gates[exposure.EDGE] = (
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-cloudfront-{public_port}",
                    security_group_id=edge_group.id,
                    ip_protocol="tcp",
                    from_port=public_port,
                    to_port=public_port,
                    prefix_list_id=cloudfront.id,
                    description=f"CloudFront origin-facing on {public_port}",
                    opts=child,
                ),
            )
        # The ALB takes its groups only once their rules exist: moving to a group (as on the upgrade from
        # inline rules) must never leave it admitting nothing, even for a moment.
        ingress = [rule for rules in gates.values() for rule in rules]
        logs = AccessLogBucket(
            f"{name}-logs",
            AccessLogBucketArgs(
                region=args.region, expiration_days=options.access_log_days, keep_on_delete=options.deletion_protection
            ),
            provider=provider,
            opts=pulumi.ResourceOptions(parent=self),
        )
        alb = aws.lb.LoadBalancer(
            naming.elb_logical_name(args.region, KEY),
            load_balancer_type="application",
            # Internal unless a door sends clients here directly (components/security/exposure.py): Global
            # Accelerator and CloudFront VPC origins reach it through the VPC, which keeps the internet
            # gateway both require. AWS fixes the scheme at creation: a change replaces the ALB.
            internal=options.internal,
            subnets=[s.id for s in subnets],
            security_groups=[security_group.id, edge_group.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=options.deletion_protection,
            idle_timeout=60,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket_name, enabled=True),
            # An internet-facing ALB needs the gateway attached and its subnets routed to it first
            # (otherwise: InvalidSubnet, VPC has no internet gateway); on destroy it goes before them.
            # Switching logging on checks that the ALB may write to the bucket: the policy comes first.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[igw, routes, *associations, logs.policy, *ingress])
            ),
        )
        check = plan.alb_target_group_health(options.health)
        target_group = aws.lb.TargetGroup(
            # A target group belongs to one load balancer at a time, so it goes with the ALB's scheme: when
            # the scheme changes, the new ALB's listeners forward to a new group (created first) while the
            # old ALB keeps the old one until the deletes at the end (ELB: TargetGroupAssociationLimit).
            naming.elb_logical_name(args.region, TARGET_GROUP_KIND[options.internal]),
            target_type="lambda",
            lambda_multi_value_headers_enabled=False,
            # AWS leaves Lambda target group checks off unless asked; GA and the ALB rely on this one.
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=check.path,
                interval=check.interval,
                timeout=check.timeout,
                healthy_threshold=check.healthy_threshold,
                unhealthy_threshold=check.unhealthy_threshold,
                matcher=check.matcher,
            ),
            opts=child,
        )
        permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function.name,
            qualifier=args.alias.name,  # the target is the alias: ELB checks it may invoke it at registration
            principal=ELB_PRINCIPAL,
            source_arn=target_group.arn,
            opts=child,
        )
        attachment = aws.lb.TargetGroupAttachment(
            f"{name}-target",
            target_group_arn=target_group.arn,
            target_id=args.alias.arn,  # one Lambda target per group: a new target goes in a new group
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[permission])),
        )
        forward = [aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)]
        # A listener forwards only once the function is registered in its target group.
        serving = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[attachment]))

        domain = args.domain
        if domain is None:
            served = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=forward,
                opts=serving,
            )
            hostname = alb.dns_name
            protocol = "http"
            aliases = {}
        else:
            served = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=ALB_SSL_POLICY,
                certificate_arn=domain.certificate_arn,
                default_actions=forward,
                opts=serving,
            )
            self._redirect_to_https(f"{name}-http", alb, 80, child)
            protocol = "https"
            # The regional record (<region>.<name>) belongs to RegionalBackend, so it survives a backend switch.
            hostname = pulumi.Output.from_input(domain.hostnames.regional[args.region])
            target = AliasTarget(dns_name=alb.dns_name, zone_id=alb.zone_id)
            aliases = {host: target for host in domain.hostnames.served_by_region(args.region)}

        self.served_listener_arn, self.target_group_arn = served.arn, target_group.arn
        self.serving = (served,)  # a replaced ALB gets its name only once it listens
        # With auth and a certificate, the ALB validates the tokens of the requests that need one before
        # forwarding them (jwt-validation needs an HTTPS listener); the function checks them again, and is
        # the only check without a domain.
        tokens = None if options.auth is None or domain is None else TokenCheck(options.auth, target_group)
        if args.origin_secret is not None:
            version = options.origin_secret_version
            secret = [
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name=ORIGIN_SECRET_HEADER, values=[args.origin_secret]
                    )
                )
            ]
            # One pair of rules per secret version: a version the program drops is deleted at the end of the
            # update, after the distribution sends the new value, so every value CloudFront may still send
            # is accepted until it stops (any change: up, down or a jump).
            accept = [
                aws.lb.ListenerRule(
                    f"{name}-from-cloudfront-v{version}",
                    listener_arn=served.arn,
                    priority=accept_priority(version),
                    conditions=secret,
                    actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
                    opts=child,
                )
            ]
            if tokens is not None:
                accept.append(
                    tokens.rule(
                        f"{name}-token-from-cloudfront-v{version}",
                        served,
                        token_accept_priority(version),
                        secret,
                        child,
                    )
                )
            gates[exposure.EDGE] = (*gates[exposure.EDGE], *accept)
        if options.direct_clients:
            opened = [self._open_to_everyone(name, served, target_group, child)]
            if tokens is not None:
                opened.append(tokens.rule(f"{name}-token-open", served, TOKEN_OPEN_PRIORITY, [], child))
            gates[exposure.CLIENT] = (*gates[exposure.CLIENT], *opened)
        if options.locked:
            OriginLockdown(
                naming.regional("lockdown", args.region),
                OriginLockdownArgs(listener_arn=served.arn),
                # At the stack's top level, where every earlier release put it (its URN is kept).
                provider=provider,
            )
        if ga_port is not None:
            # Global Accelerator reaches this port (an endpoint-group port override): the function can
            # then tell its requests from anyone else's by X-Forwarded-Port.
            ga_listener = aws.lb.Listener(
                f"{name}-ga",
                load_balancer_arn=alb.arn,
                port=ga_port,
                protocol="HTTP" if domain is None else "HTTPS",
                ssl_policy=None if domain is None else ALB_SSL_POLICY,
                certificate_arn=None if domain is None else domain.certificate_arn,
                default_actions=forward,
                opts=serving,
            )
            ga_gates: list[pulumi.Resource] = [ga_listener]
            if ga_redirect_port is not None:
                # GA's port 80: 301 to https://<same host>:443/<same path>?<same query>. Host, path and query
                # default to #{host}, /#{path} and #{query}; the port is explicit, since its default #{port}
                # would be this listener's own (installed pulumi-aws, ListenerDefaultActionRedirectArgs).
                ga_gates.append(self._redirect_to_https(f"{name}-ga-http", alb, ga_redirect_port, child))
            if tokens is not None:
                ga_gates.append(tokens.rule(f"{name}-token-ga", ga_listener, TOKEN_GA_PRIORITY, [], child))
            gates[exposure.PRIVATE_NETWORK] = (*gates[exposure.PRIVATE_NETWORK], *ga_gates)

        self.server_error_metric = ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": alb.arn_suffix})
        self.balancer_error_metric = ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb.arn_suffix})
        self.endpoint = RegionalEndpoint.build(
            args.region,
            KEY,
            hostname,
            protocol,
            options.health.path,
            aliases=aliases,
            alb_arn=alb.arn,
            gates=gates,
            private=options.internal,
        )
        self.register_outputs({"url": self.endpoint.url})

    @staticmethod
    def _redirect_to_https(
        name: str, alb: aws.lb.LoadBalancer, port: int, opts: pulumi.ResourceOptions
    ) -> aws.lb.Listener:
        """Plain HTTP on `port`: a 301 to HTTPS on 443, keeping the host, path and query."""
        return aws.lb.Listener(
            name,
            load_balancer_arn=alb.arn,
            port=port,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=opts,
        )

    @staticmethod
    def _open_to_everyone(
        name: str, listener: aws.lb.Listener, group: aws.lb.TargetGroup, opts: pulumi.ResourceOptions
    ) -> pulumi.Resource:
        """While a door sends clients here directly: forward everything, ahead of the lockdown's 403. It is a
        resource of its own so that it goes at the end of the update that removes that door (after the
        door's records), and comes before the update that adds one serves."""
        return aws.lb.ListenerRule(
            f"{name}-open",
            listener_arn=listener.arn,
            priority=OPEN_PRIORITY,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["*"]))
            ],
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=group.arn)],
            opts=opts,
        )

    @staticmethod
    def _open(
        name: str, group: aws.ec2.SecurityGroup, port: int, description: str, opts: pulumi.ResourceOptions
    ) -> tuple[pulumi.Resource, ...]:
        """Ingress on one port from every IPv4 and IPv6 address: one rule resource per address family."""
        return tuple(
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{family}",
                security_group_id=group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=description,
                cidr_ipv4=v4,
                cidr_ipv6=v6,
                opts=opts,
            )
            for family, v4, v6 in (("v4", "0.0.0.0/0", None), ("v6", None, "::/0"))
        )
