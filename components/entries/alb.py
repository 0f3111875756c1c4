"""AlbEntry: a small VPC, an ALB (internet-facing, or internal behind Global Accelerator alone) and a
Lambda target group in front of the regional function."""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components import backend_plan as plan
from components import naming
from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.catalogue import (
    ALB_SSL_POLICY,
    CLOUDFRONT_ORIGIN_PREFIX_LIST,
    ELB_PRINCIPAL,
    ORIGIN_ACCEPT_PRIORITY,
    ORIGIN_SECRET_HEADER,
    component_type,
)
from components.endpoint import AliasTarget, RegionalEndpoint
from components.entries.base import EntryArgs, RegionalEntry
from functions.api.contract import GA_PORT_OFFSET

TYPE = component_type("AlbEntry")


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
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(provider=provider))
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

        served_port = 80 if args.domain is None else 443
        ga_port = served_port + GA_PORT_OFFSET if args.global_accelerator else None
        if args.origin_locked:
            # Only CloudFront's origin-facing addresses, on the one port it uses (the prefix list weighs
            # 55 rules of a security group's 60, so one port is all there is room for).
            cloudfront = aws.ec2.get_managed_prefix_list_output(
                name=CLOUDFRONT_ORIGIN_PREFIX_LIST, opts=pulumi.InvokeOutputOptions(provider=provider)
            )
            ingress = [
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=served_port,
                    to_port=served_port,
                    prefix_list_ids=[cloudfront.id],
                    description=f"CloudFront origin-facing on {served_port}",
                )
            ]
        else:
            ingress = [
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_blocks=["0.0.0.0/0"],
                    ipv6_cidr_blocks=["::/0"],
                    description=f"clients on {port}" if port != ga_port else f"Global Accelerator on {port}",
                )
                for port in (80, 443, *([ga_port] if ga_port else []))
            ]
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc.id,
            description="Public HTTP(S) to the API load balancer",
            ingress=ingress,
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
            opts=child,
        )
        self.origin_gates = (security_group,)
        logs = AccessLogBucket(
            f"{name}-logs",
            AccessLogBucketArgs(
                region=args.region, expiration_days=args.access_log_days, keep_on_delete=args.deletion_protection
            ),
            provider=provider,
            opts=pulumi.ResourceOptions(parent=self),
        )
        alb = aws.lb.LoadBalancer(
            naming.elb_logical_name(args.region, "alb"),
            load_balancer_type="application",
            # Internal behind Global Accelerator alone: GA reaches it through the VPC (which keeps its
            # internet gateway, as GA requires); nobody else can.
            internal=args.internal,
            subnets=[s.id for s in subnets],
            security_groups=[security_group.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.deletion_protection,
            idle_timeout=60,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket_name, enabled=True),
            # An internet-facing ALB needs the gateway attached and its subnets routed to it first
            # (otherwise: InvalidSubnet, VPC has no internet gateway); on destroy it goes before them.
            # Switching logging on checks that the ALB may write to the bucket: the policy comes first.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[igw, routes, *associations, logs.policy])
            ),
        )
        check = plan.alb_target_group_health(args.health)
        target_group = aws.lb.TargetGroup(
            naming.elb_logical_name(args.region, "tg"),
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
            principal=ELB_PRINCIPAL,
            source_arn=target_group.arn,
            opts=child,
        )
        aws.lb.TargetGroupAttachment(
            f"{name}-target",
            target_group_arn=target_group.arn,
            target_id=args.function.arn,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[permission])),
        )
        forward = [aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)]

        domain = args.domain
        if domain is None:
            served = aws.lb.Listener(
                f"{name}-http", load_balancer_arn=alb.arn, port=80, protocol="HTTP", default_actions=forward, opts=child
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
                opts=child,
            )
            aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                            protocol="HTTPS", port="443", status_code="HTTP_301"
                        ),
                    )
                ],
                opts=child,
            )
            protocol = "https"
            # The regional record (<region>.<name>) belongs to RegionalBackend, so it survives a backend switch.
            hostname = pulumi.Output.from_input(domain.hostnames.regional[args.region])
            target = AliasTarget(dns_name=alb.dns_name, zone_id=alb.zone_id)
            aliases = {host: target for host in domain.hostnames.served_by_region(args.region)}

        self.served_listener_arn, self.target_group_arn = served.arn, target_group.arn
        ga_listeners: tuple[pulumi.Resource, ...] = ()
        if ga_port is not None:
            # Global Accelerator reaches this port (an endpoint-group port override): the function can
            # then tell its requests from anyone else's by X-Forwarded-Port.
            ga_listeners = (
                aws.lb.Listener(
                    f"{name}-ga",
                    load_balancer_arn=alb.arn,
                    port=ga_port,
                    protocol="HTTP" if domain is None else "HTTPS",
                    ssl_policy=None if domain is None else ALB_SSL_POLICY,
                    certificate_arn=None if domain is None else domain.certificate_arn,
                    default_actions=forward,
                    opts=child,
                ),
            )

        if args.origin_secrets is not None:
            # Lets CloudFront's requests through, ahead of OriginLockdown's 403 for everything else.
            self.origin_accept_rule = aws.lb.ListenerRule(
                f"{name}-from-cloudfront",
                listener_arn=served.arn,
                priority=ORIGIN_ACCEPT_PRIORITY,
                conditions=[
                    aws.lb.ListenerRuleConditionArgs(
                        http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                            http_header_name=ORIGIN_SECRET_HEADER, values=args.origin_secrets
                        )
                    )
                ],
                actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
                opts=child,
            )

        self.server_error_metric = ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": alb.arn_suffix})
        self.balancer_error_metric = ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb.arn_suffix})
        self.endpoint = RegionalEndpoint.build(
            args.region,
            "alb",
            hostname,
            protocol,
            args.health.path,
            aliases=aliases,
            alb_arn=alb.arn,
            listeners=ga_listeners,
        )
        self.register_outputs({"url": self.endpoint.url})
