"""HttpApiEntry: an API Gateway HTTP API (v2) with a Lambda proxy integration and REGIONAL domains."""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.config import AuthSettings
from components.regional import function_settings as plan
from components.regional.endpoint import AliasTarget, RegionalEndpoint
from components.regional.entries.base import ITEMS_PATH, EntryArgs, RegionalEntry
from components.registry import API_GATEWAY_PRINCIPAL, API_GATEWAY_SECURITY_POLICY, BackendFacts, component_type
from functions.api.contract import item_token_methods

KEY = "apigateway"  # this backend's config value (components/registry.py BACKENDS)
# Everything the rest of the project knows of this backend (plain literals: components/registry.py reads them
# without importing this module).
FACTS = BackendFacts(
    component="HttpApiEntry",
    description="API Gateway HTTP API, Lambda proxy integration, REGIONAL domains",
    https_without_domain=True,
    entry_types=("aws:apigatewayv2/api:Api",),
    # An HTTP API cannot check a header itself: the function refuses requests without the origin secret.
    origin_guard_in_function=True,
    summary_with_domain="the HTTP APIs' default execute-api endpoints are disabled (every door uses the custom domain)",
    summary_without_domain="the HTTP APIs answer on their execute-api names (no domain): those names are the entries",
    alarms_per_region=4,  # entry 5xx, function p99, throttles and the live alias's errors
    cost=(
        ("apigateway_http.per_million_requests", "million-requests"),
        ("cloudwatch_logs.ingestion_per_gb", "http-api-access-log-gb"),
    ),
    metrics_per_route=6,  # detailed metrics: 4xx, 5xx, Count, IntegrationLatency, Latency, DataProcessed
)

TYPE = component_type(FACTS.component)
ITEM_ROUTE = f"{ITEMS_PATH}/{{id}}"


ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
    '"path":"$context.path","status":"$context.status","latencyMs":"$context.responseLatency",'
    '"integrationError":"$context.integrationErrorMessage","domain":"$context.domainName"}'
)


class HttpApiEntry(RegionalEntry):
    def __init__(
        self, name: str, args: EntryArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)

        api = aws.apigatewayv2.Api(
            f"{name}-api",
            protocol_type="HTTP",
            # With a custom domain every door reaches the API by that name: the default
            # https://<id>.execute-api.<region>.amazonaws.com endpoint would only be a way around them.
            disable_execute_api_endpoint=args.domain is not None,
            opts=child,
        )
        # API Gateway may invoke the alias before the integration sends requests to it (a switch of the integration
        # from the function to the alias waits for the new permission; the old one goes after it).
        permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function.name,
            qualifier=args.alias.name,
            principal=API_GATEWAY_PRINCIPAL,
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-lambda",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_uri=args.alias.arn,  # the `live` alias, never the unqualified function
            payload_format_version="2.0",
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[permission])),
        )
        target = integration.id.apply(lambda i: f"integrations/{i}")
        aws.apigatewayv2.Route(f"{name}-default", api_id=api.id, route_key="$default", target=target, opts=child)
        if args.options.auth is not None:
            self._jwt_routes(name, api, target, args.options.auth, child)
        access_logs = aws.cloudwatch.LogGroup(f"{name}-access", retention_in_days=plan.LOG_RETENTION_DAYS, opts=child)
        stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_rate_limit=plan.HTTP_API_THROTTLE_RATE,
                throttling_burst_limit=plan.HTTP_API_THROTTLE_BURST,
                detailed_metrics_enabled=True,
            ),
            opts=child,
        )
        domain = args.domain
        aliases: dict[str, AliasTarget] = {}
        if domain is None:
            hostname = api.api_endpoint.apply(lambda url: url.removeprefix("https://"))
        else:
            plan_ = domain.hostnames
            for host in plan_.served_by_region(args.region):
                # One REGIONAL custom domain per hostname clients may send to this region.
                label = plan_.label(host)
                custom = aws.apigatewayv2.DomainName(
                    f"{name}-domain-{label}",
                    domain_name=host,
                    domain_name_configuration=aws.apigatewayv2.DomainNameDomainNameConfigurationArgs(
                        certificate_arn=domain.certificate_arn,
                        endpoint_type="REGIONAL",
                        security_policy=API_GATEWAY_SECURITY_POLICY,
                    ),
                    opts=child,
                )
                aws.apigatewayv2.ApiMapping(
                    f"{name}-mapping-{label}", api_id=api.id, domain_name=custom.id, stage=stage.id, opts=child
                )
                configuration = custom.domain_name_configuration
                aliases[host] = AliasTarget(
                    dns_name=configuration.target_domain_name, zone_id=configuration.hosted_zone_id
                )
            # The regional record (<region>.<name>) belongs to RegionalBackend, so it survives a backend switch.
            hostname = pulumi.Output.from_input(plan_.regional[args.region])

        self.server_error_metric = ("AWS/ApiGateway", "5xx", {"ApiId": api.id, "Stage": "$default"})
        self.endpoint = RegionalEndpoint.build(
            args.region, KEY, hostname, "https", args.options.health.path, aliases=aliases
        )
        self.register_outputs({"url": self.endpoint.url})

    @staticmethod
    def _jwt_routes(name: str, api, target, auth: AuthSettings, opts: pulumi.ResourceOptions) -> None:
        """The HTTP API's own JWT authorizer on the item routes that need a token; everything else keeps
        the $default route (and the function checks the same tokens behind it)."""
        authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-jwt",
            api_id=api.id,
            authorizer_type="JWT",
            name="jwt",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
                issuer=auth.issuer, audiences=[auth.audience]
            ),
            opts=opts,
        )
        for method in item_token_methods(auth.protect_reads):
            aws.apigatewayv2.Route(
                f"{name}-{method.lower()}-item",
                api_id=api.id,
                route_key=f"{method} {ITEM_ROUTE}",
                target=target,
                authorization_type="JWT",
                authorizer_id=authorizer.id,
                authorization_scopes=list(auth.scopes) or None,
                opts=opts,
            )
