"""ACM certificates sit where their user is: the ALB's or the API's own region (CloudFront: us-east-1)."""

from collections.abc import Iterator
from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs, StackValidationPolicy

from policies import tokens as t
from policies.common import arn_region, get, is_unknown, message, region_of
from policies.graph import StackGraph


def certificate_region(graph: StackGraph, resource: Any, prop: str, arn: Any) -> Any:
    """The region of the certificate `resource` uses through `prop`: from the ARN when known, else from
    the ACM resource the engine recorded as feeding that property (preview). None when neither says."""
    region = arn_region(arn)
    if isinstance(region, str) and region:
        return region
    sources = graph.dependencies(resource, prop, *t.CERTIFICATE_TYPES)
    regions = {region_of(source) for source in sources}
    regions = {r for r in regions if isinstance(r, str)}
    return regions.pop() if len(regions) == 1 else None


def _regional_certificate_uses(resource: Any) -> Iterator[tuple[str, str, Any]]:
    """(prop, what, certificate ARN) for every certificate a regional resource terminates TLS with."""
    props = resource.props
    if resource.resource_type == t.APIGATEWAYV2_DOMAIN:
        yield (
            "domainNameConfiguration",
            "domainNameConfiguration.certificateArn",
            get(props, "domainNameConfiguration", "certificateArn"),
        )
    elif resource.resource_type == t.APIGATEWAY_DOMAIN:
        if get(props, "regionalCertificateArn") is not None:
            yield "regionalCertificateArn", "regionalCertificateArn", get(props, "regionalCertificateArn")
    elif resource.resource_type in t.LISTENER_TYPES + t.LISTENER_CERTIFICATE_TYPES:
        if get(props, "certificateArn") is not None:
            yield "certificateArn", "certificateArn", get(props, "certificateArn")


def _same_region(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    types = (t.APIGATEWAYV2_DOMAIN, t.APIGATEWAY_DOMAIN) + t.LISTENER_TYPES + t.LISTENER_CERTIFICATE_TYPES
    for resource in graph.of_type(*types):
        region = region_of(resource)
        if not isinstance(region, str) or is_unknown(region):
            continue
        for prop, what, arn in _regional_certificate_uses(resource):
            certificate = certificate_region(graph, resource, prop, arn)
            if certificate is not None and certificate != region:
                report_violation(
                    message(
                        resource,
                        f"{what} is a certificate in {certificate} (found {arn}); ALBs and REGIONAL "
                        f"API Gateway domains only accept a certificate from their own region ({region})",
                        f"issue the certificate with the {region} provider and pass that region's ARN "
                        "(DnsContext.certificate_arns[region])",
                    ),
                    resource.urn,
                )


REGIONAL_CERTIFICATE_SAME_REGION = StackValidationPolicy(
    name="regional-certificate-same-region",
    description="API Gateway custom domains and ALB HTTPS listeners use an ACM certificate from their own region.",
    validate=_same_region,
)
