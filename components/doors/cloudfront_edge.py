"""CloudFront + a Lambda@Edge origin-request router that sends each request to the best healthy region."""

from collections.abc import Mapping
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import HealthCheckSettings
from components.doors import edge_routing
from components.doors.base import FrontDoor, FrontDoorArgs
from components.regional.endpoint import RegionalEndpoint
from components.regional.function_settings import LOG_RETENTION_DAYS
from components.registry import (
    CLOUDFRONT_ORIGIN_SSL_PROTOCOLS,
    CLOUDFRONT_VIEWER_TLS_POLICY,
    EDGE_LAMBDA_PRINCIPAL,
    EDGE_REGION,
    LAMBDA_PRINCIPAL,
    ORIGIN_SECRET_HEADER,
    Detector,
    DoorFacts,
    component_type,
)
from components.security.iam import allow, assume_role_policy, policy_document
from components.stack.packaging import EDGE_SOURCE, package_files
from functions.edge import contract

# Everything the rest of the project knows of this door (plain literals: components/registry.py reads them
# without importing this module).
FACTS = DoorFacts(
    component="CloudFrontEdgeFrontDoor",
    needs_domain=False,
    detector=Detector(type="aws:cloudfront/distribution:Distribution", single=True),
    passes_client_host=False,
    ipv6=True,
    needs_edge_region=True,
    reaches_entry="edge",
    plaintext_hop="CloudFront -> ALB is plain HTTP across the internet",
    web_acl_scope="CLOUDFRONT",
    # The router marks every request it routes (functions/edge/contract.py ROUTED_REGION_HEADER).
    marks_requests_with="x-routed-to-region",
    alarms_in_edge_region=True,
    alarms_per_stack=3,  # the distribution's 5xx rate, the router's execution and validation errors
    # Requests and egress at the edge, the router (Lambda@Edge) and its logs, the standard logs (vended).
    cost=(
        ("cloudfront.per_10k_https_requests", "10k-requests"),
        ("cloudfront.egress_per_gb", "gb-out"),
        ("lambda_edge.per_million_requests", "million-requests"),
        ("lambda_edge.per_gb_second", "edge-function-gb-seconds"),
        ("cloudwatch_logs.ingestion_per_gb", "edge-function-log-gb"),
        ("cloudwatch_logs.vended_ingestion_per_gb", "edge-log-gb"),
    ),
    carries_egress=True,
    failover="edge-router",
    overhead_ms=2.0,  # the router's decision and the edge's own hop
    colour="tab:green",
    legacy_main_records=(("A", "cloudfront-a"), ("AAAA", "cloudfront-aaaa")),
)

TYPE = component_type(FACTS.component)

# AWS managed cache policy "CachingDisabled": an API's answers must not be cached.
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# AWS managed response headers policy "SecurityHeadersPolicy": HSTS (max-age=31536000), nosniff,
# X-Frame-Options, Referrer-Policy, X-XSS-Protection (CloudFront developer guide, "Use managed response
# headers policies", read 2026-12-01). The viewer side is https-only, so HSTS holds for every name.
SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
CACHED_METHODS = ["GET", "HEAD"]
ORIGIN_SSL_PROTOCOLS = list(CLOUDFRONT_ORIGIN_SSL_PROTOCOLS)
VIEWER_TLS_POLICY = CLOUDFRONT_VIEWER_TLS_POLICY

EDGE_RUNTIME = "python3.12"
EDGE_ARCHITECTURE = "x86_64"  # Lambda@Edge runs x86_64 only
EDGE_MEMORY_MB = 128
# The router answers from its health cache; a refresh waits at most one probe (2 s) longer.
EDGE_TIMEOUT_SECONDS = 5
ROUTING_TABLE_ARCHIVE_PATH = f"{contract.PACKAGE_NAME}/{contract.ROUTING_TABLE_FILE}"


def edge_code(
    endpoints: tuple[RegionalEndpoint, ...],
    home_region: str,
    health: HealthCheckSettings,
    dials: Mapping[str, int] | None = None,
    probe_token: Optional[pulumi.Input[str]] = None,
) -> pulumi.Output:
    """The router package (Output[AssetArchive]) with the routing table for these endpoints baked in."""
    regions = [endpoint.region for endpoint in endpoints]

    def archive(values: list) -> pulumi.AssetArchive:
        token, *hostnames = values
        origins = {
            endpoint.region: edge_routing.EdgeOrigin(host=host, protocol=endpoint.protocol, port=endpoint.port)
            for endpoint, host in zip(endpoints, hostnames, strict=False)
        }
        # The router probes each region through the distribution itself (the entries admit only CloudFront)
        # and drops a dead one within the same interval x threshold as the stack's other doors.
        table = edge_routing.routing_table_json(
            home_region,
            regions,
            origins,
            health.path,
            dials,
            health_interval_seconds=health.interval_seconds,
            health_failure_threshold=health.failure_threshold,
            probe_token=token,
        )
        assets: dict[str, pulumi.Asset | pulumi.Archive] = {
            path: pulumi.FileAsset(str(file))
            for path, file in package_files(EDGE_SOURCE, contract.PACKAGE_NAME).items()
        }
        assets[ROUTING_TABLE_ARCHIVE_PATH] = pulumi.StringAsset(table)
        return pulumi.AssetArchive(assets)

    return pulumi.Output.all(probe_token, *[endpoint.hostname for endpoint in endpoints]).apply(archive)


class CloudFrontEdgeFrontDoor(FrontDoor):
    def __init__(self, name: str, args: FrontDoorArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(TYPE, name, None, opts)
        edge = pulumi.ResourceOptions(parent=self, provider=args.providers.edge)

        router, router_logs = self._router(name, args, edge)
        policy = aws.cloudfront.OriginRequestPolicy(
            f"{name}-origin-request",
            comment="API requests: every viewer header, cookie and query string, plus the viewer location the router needs",
            # The router rewrites Host to the chosen region's hostname on every request, so the
            # viewer's Host never reaches an origin even though all viewer headers are forwarded.
            headers_config=aws.cloudfront.OriginRequestPolicyHeadersConfigArgs(
                header_behavior="allViewerAndWhitelistCloudFront",
                headers=aws.cloudfront.OriginRequestPolicyHeadersConfigHeadersArgs(items=list(contract.VIEWER_HEADERS)),
            ),
            cookies_config=aws.cloudfront.OriginRequestPolicyCookiesConfigArgs(cookie_behavior="all"),
            query_strings_config=aws.cloudfront.OriginRequestPolicyQueryStringsConfigArgs(query_string_behavior="all"),
            opts=edge,
        )
        hostnames = [] if args.hostname is None else [args.hostname, *args.extra_hostnames]
        distribution = aws.cloudfront.Distribution(
            name,
            enabled=True,
            comment=f"{pulumi.get_project()}-{pulumi.get_stack()} {name}: Lambda@Edge picks the region",
            aliases=hostnames,
            origins=[self._origin(endpoint, args.origin_secret) for endpoint in args.endpoints],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                # The router overrides the origin per request; the home region is where it starts.
                target_origin_id=args.home_region,
                allowed_methods=ALL_METHODS,
                cached_methods=CACHED_METHODS,
                # https-only, not a redirect: a redirected PUT/POST would be replayed as a GET.
                viewer_protocol_policy="https-only",
                cache_policy_id=CACHING_DISABLED_POLICY_ID,
                origin_request_policy_id=policy.id,
                response_headers_policy_id=SECURITY_HEADERS_POLICY_ID,
                lambda_function_associations=[
                    aws.cloudfront.DistributionDefaultCacheBehaviorLambdaFunctionAssociationArgs(
                        event_type="origin-request",
                        # A numbered version (CloudFront refuses $LATEST); also links the distribution
                        # to the function in the engine's property dependencies.
                        lambda_arn=router.qualified_arn,
                        # The router reads headers only; asking for the body would make CloudFront buffer it.
                        include_body=False,
                    )
                ],
            ),
            # Regions may be anywhere: serve from every edge location.
            price_class="PriceClass_All",
            is_ipv6_enabled=True,
            http_version="http2and3",
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            viewer_certificate=self._viewer_certificate(args),
            web_acl_id=args.web_acl_arn,  # WAFv2 takes the web ACL's ARN here
            # The router serves once the distribution points at it: its log permissions come first; and
            # CloudFront sends a new origin secret only once every entry accepts it (the entries' gates:
            # ingress and accept rules; the parameters a function reads).
            opts=pulumi.ResourceOptions.merge(
                edge, pulumi.ResourceOptions(depends_on=[router_logs, *args.entry_gates, *args.origin_accepted_by])
            ),
        )

        self._standard_logs(name, distribution, edge)
        self.details = {"distributionId": distribution.id, "domainName": distribution.domain_name}

        if args.hostname is None:
            self.hostname = distribution.domain_name
        else:
            hostname, dns = args.domain()
            records = [
                aws.route53.Record(
                    # Not "-a"/"-aaaa": those names held the main name before, and live on as its weighted members.
                    f"{name}-hostname-{record_type.lower()}",
                    zone_id=dns.zone_id,
                    name=hostname,
                    type=record_type,
                    # Route 53 refuses evaluate_target_health on CloudFront aliases.
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=distribution.domain_name,
                            zone_id=distribution.hosted_zone_id,
                            evaluate_target_health=False,
                        )
                    ],
                    opts=pulumi.ResourceOptions(parent=self, provider=args.providers.home),
                )
                for record_type in ("A", "AAAA")
            ]
            # Through the records: whoever aliases this name (the A/B split) waits for them.
            self.hostname = pulumi.Output.all(*[r.name for r in records]).apply(lambda _: hostname)
        self.url = self.hostname.apply(lambda h: f"https://{h}")
        self.register_outputs({"url": self.url})

    @staticmethod
    def _standard_logs(name: str, distribution: aws.cloudfront.Distribution, opts: pulumi.ResourceOptions) -> None:
        """CloudFront's standard logs (v2, vended logs) into a CloudWatch log group in us-east-1 that expires."""
        group = aws.cloudwatch.LogGroup(f"{name}-access", retention_in_days=LOG_RETENTION_DAYS, opts=opts)
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-access", log_type="ACCESS_LOGS", resource_arn=distribution.arn, opts=opts
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-access",
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=group.arn
            ),
            opts=opts,
        )
        aws.cloudwatch.LogDelivery(
            f"{name}-access", delivery_source_name=source.name, delivery_destination_arn=destination.arn, opts=opts
        )

    @staticmethod
    def _router(
        name: str, args: FrontDoorArgs, opts: pulumi.ResourceOptions
    ) -> tuple[aws.lambda_.Function, aws.iam.RolePolicy]:
        role = aws.iam.Role(
            f"{name}-router-role",
            assume_role_policy=assume_role_policy(LAMBDA_PRINCIPAL, EDGE_LAMBDA_PRINCIPAL),
            opts=opts,
        )
        function = aws.lambda_.Function(
            f"{name}-router",
            runtime=EDGE_RUNTIME,
            architectures=[EDGE_ARCHITECTURE],
            handler=contract.HANDLER,
            code=edge_code(args.endpoints, args.home_region, args.health, args.traffic_dials, args.probe_token),
            memory_size=EDGE_MEMORY_MB,
            timeout=EDGE_TIMEOUT_SECONDS,
            role=role.arn,
            publish=True,
            # Lambda@Edge replicas are deleted hours after the distribution lets go of the version,
            # and deleting the function fails until then (pulumi-aws issues 1045, 2178). Destroy
            # leaves the function behind instead of failing; delete it by hand once replicas are gone.
            skip_destroy=True,
            opts=opts,
        )
        # Lambda@Edge writes logs in every region it runs in, to /aws/lambda/us-east-1.<function name>;
        # CloudWatch Logs matches CreateLogGroup, CreateLogStream and PutLogEvents against the group ARN with ":*".
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(provider=args.providers.edge)
        ).account_id
        log_groups = pulumi.Output.format(
            "arn:aws:logs:*:{0}:log-group:/aws/lambda/{1}.{2}:*", account, EDGE_REGION, function.name
        )
        logs = aws.iam.RolePolicy(
            f"{name}-router-logs",
            role=role.id,
            policy=policy_document(
                allow("EdgeLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], log_groups)
            ),
            opts=opts,
        )
        return function, logs

    @staticmethod
    def _origin(
        endpoint: RegionalEndpoint, secret: Optional[pulumi.Input[str]]
    ) -> aws.cloudfront.DistributionOriginArgs:
        # The router keeps these headers when it re-points a request; its health probes go through the
        # distribution, so CloudFront adds them there too.
        headers = (
            []
            if secret is None
            else [aws.cloudfront.DistributionOriginCustomHeaderArgs(name=ORIGIN_SECRET_HEADER, value=secret)]
        )
        return aws.cloudfront.DistributionOriginArgs(
            origin_id=endpoint.region,
            domain_name=endpoint.hostname,
            custom_headers=headers,
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                origin_protocol_policy=f"{endpoint.protocol}-only",
                http_port=80,
                https_port=443,
                origin_ssl_protocols=ORIGIN_SSL_PROTOCOLS,
            ),
        )

    @staticmethod
    def _viewer_certificate(args: FrontDoorArgs) -> aws.cloudfront.DistributionViewerCertificateArgs:
        if args.hostname is None:
            return aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)
        _, dns = args.domain()
        return aws.cloudfront.DistributionViewerCertificateArgs(
            acm_certificate_arn=dns.certificate_arns[EDGE_REGION],
            ssl_support_method="sni-only",
            minimum_protocol_version=VIEWER_TLS_POLICY,
        )
