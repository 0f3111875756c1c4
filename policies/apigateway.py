"""API Gateway custom domains are REGIONAL: each region answers for itself, the front door picks the region."""

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies import tokens as t
from policies.common import constant, elements, get, is_unknown, message, show

REGIONAL = "REGIONAL"
TLS_POLICY: str = constant("API_GATEWAY_SECURITY_POLICY")


def _v2_domain(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    endpoint_type = get(args.props, "domainNameConfiguration", "endpointType")
    if not is_unknown(endpoint_type) and str(endpoint_type).upper() != REGIONAL:
        report_violation(
            message(
                args,
                f"domainNameConfiguration.endpointType is {show(endpoint_type)}; an edge-optimized domain "
                "sends every client through CloudFront to one region, defeating latency routing",
                f'set endpoint_type="{REGIONAL}" with a certificate from this region',
            ),
            None,
        )
    policy = get(args.props, "domainNameConfiguration", "securityPolicy")
    if policy is not None and not is_unknown(policy) and policy != TLS_POLICY:
        report_violation(
            message(
                args,
                f"domainNameConfiguration.securityPolicy is {show(policy)}; clients may negotiate TLS 1.0",
                f'set security_policy="{TLS_POLICY}"',
            ),
            None,
        )


def _v1_domain(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    types = [show(v) for v in elements(args.props, "endpointConfiguration", "types")]
    unknown = is_unknown(get(args.props, "endpointConfiguration", "types")) or "(unknown during preview)" in types
    if types != [REGIONAL] and not unknown:
        report_violation(
            message(
                args,
                f"endpointConfiguration.types is {show(types) if types else '(not set: EDGE)'}; REST API "
                "domains default to EDGE, which pins clients to one region behind CloudFront",
                f'set endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="{REGIONAL}") '
                "and regional_certificate_arn",
            ),
            None,
        )
    if get(args.props, "certificateArn") is not None:
        report_violation(
            message(
                args,
                "certificateArn (the edge-optimized certificate) is set",
                "use regional_certificate_arn with a certificate from this region",
            ),
            None,
        )


def _regional_custom_domain(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == t.APIGATEWAYV2_DOMAIN:
        _v2_domain(args, report_violation)
    elif args.resource_type == t.APIGATEWAY_DOMAIN:
        _v1_domain(args, report_violation)


APIGATEWAY_REGIONAL_CUSTOM_DOMAIN = ResourceValidationPolicy(
    name="apigateway-regional-custom-domain",
    description="API Gateway custom domains are REGIONAL endpoints with TLS 1.2.",
    validate=_regional_custom_domain,
)
