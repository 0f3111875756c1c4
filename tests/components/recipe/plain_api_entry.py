"""A throwaway backend, written as the README's recipe says: this module plus one registry line.

"plainapi": an API Gateway HTTP API with a Lambda proxy integration and nothing else (no JWT routes, no
detailed metrics), REGIONAL custom domains when the stack has a domain. Only the extension recipe test
registers it.
"""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.regional.endpoint import AliasTarget, RegionalEndpoint
from components.regional.entries.base import EntryArgs, RegionalEntry
from components.registry import API_GATEWAY_PRINCIPAL, API_GATEWAY_SECURITY_POLICY, BackendFacts, component_type

KEY = "plainapi"
FACTS = BackendFacts(
    component="PlainApiEntry",
    description="API Gateway HTTP API, Lambda proxy integration, nothing else",
    https_without_domain=True,
    entry_types=("aws:apigatewayv2/api:Api",),
    origin_guard_in_function=True,
    alarms_per_region=4,
    cost=(("apigateway_http.per_million_requests", "million-requests"),),
)


class PlainApiEntry(RegionalEntry):
    def __init__(
        self, name: str, args: EntryArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(component_type(FACTS.component), name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        api = aws.apigatewayv2.Api(
            f"{name}-api", protocol_type="HTTP", disable_execute_api_endpoint=args.domain is not None, opts=child
        )
        invoked = args.function if args.alias is None else args.alias
        integration = aws.apigatewayv2.Integration(
            f"{name}-lambda",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_uri=invoked.arn,
            payload_format_version="2.0",
            opts=child,
        )
        aws.apigatewayv2.Route(
            f"{name}-default",
            api_id=api.id,
            route_key="$default",
            target=integration.id.apply(lambda i: f"integrations/{i}"),
            opts=child,
        )
        logs = aws.cloudwatch.LogGroup(f"{name}-access", retention_in_days=30, opts=child)
        stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=logs.arn, format='{"requestId":"$context.requestId","status":"$context.status"}'
            ),
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_rate_limit=1000, throttling_burst_limit=500
            ),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function.name,
            qualifier=None if args.alias is None else args.alias.name,
            principal=API_GATEWAY_PRINCIPAL,
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
            opts=child,
        )
        aliases: dict[str, AliasTarget] = {}
        if args.domain is None:
            hostname = api.api_endpoint.apply(lambda url: url.removeprefix("https://"))
        else:
            plan = args.domain.hostnames
            for host in plan.served_by_region(args.region):
                custom = aws.apigatewayv2.DomainName(
                    f"{name}-domain-{plan.label(host)}",
                    domain_name=host,
                    domain_name_configuration=aws.apigatewayv2.DomainNameDomainNameConfigurationArgs(
                        certificate_arn=args.domain.certificate_arn,
                        endpoint_type="REGIONAL",
                        security_policy=API_GATEWAY_SECURITY_POLICY,
                    ),
                    opts=child,
                )
                aws.apigatewayv2.ApiMapping(
                    f"{name}-mapping-{plan.label(host)}",
                    api_id=api.id,
                    domain_name=custom.id,
                    stage=stage.id,
                    opts=child,
                )
                configuration = custom.domain_name_configuration
                aliases[host] = AliasTarget(
                    dns_name=configuration.target_domain_name, zone_id=configuration.hosted_zone_id
                )
            hostname = pulumi.Output.from_input(plan.regional[args.region])
        self.server_error_metric = ("AWS/ApiGateway", "5xx", {"ApiId": api.id, "Stage": "$default"})
        self.endpoint = RegionalEndpoint.build(
            args.region, KEY, hostname, "https", args.options.health.path, aliases=aliases
        )
        self.register_outputs({"url": self.endpoint.url})
