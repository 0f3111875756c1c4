"""CloudFront: a us-east-1 certificate, TLS 1.2 or newer, HTTPS towards viewers."""

import re
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies import tokens as t
from policies.certificates import certificate_region
from policies.common import EDGE_REGION, constant, elements, get, is_unknown, message, show
from policies.graph import StackGraph

MINIMUM_TLS = (1, 2)
RECOMMENDED_PROTOCOL_VERSION: str = constant("CLOUDFRONT_VIEWER_TLS_POLICY")
HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")
_PROTOCOL_VERSION = re.compile(r"^TLSv(\d+)(?:\.(\d+))?")


def _custom_certificate(props: Any) -> bool:
    return (
        get(props, "viewerCertificate", "acmCertificateArn") is not None
        or get(props, "viewerCertificate", "iamCertificateId") is not None
    )


# -- cloudfront-certificate-us-east-1 ---------------------------------------------------------


def _certificate_us_east_1(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    for distribution in graph.of_type(t.CLOUDFRONT_DISTRIBUTION):
        arn = get(distribution.props, "viewerCertificate", "acmCertificateArn")
        if arn is None:
            continue
        region = certificate_region(graph, distribution, "viewerCertificate", arn)
        if region is not None and region != EDGE_REGION:
            report_violation(
                message(
                    distribution,
                    f"viewerCertificate.acmCertificateArn is a certificate in {region} (found {arn}); "
                    f"CloudFront only accepts ACM certificates from {EDGE_REGION}",
                    f"issue the certificate with the {EDGE_REGION} provider (providers.edge) and pass that ARN",
                ),
                distribution.urn,
            )


CLOUDFRONT_CERTIFICATE_US_EAST_1 = StackValidationPolicy(
    name="cloudfront-certificate-us-east-1",
    description="CloudFront distributions use an ACM certificate from us-east-1.",
    validate=_certificate_us_east_1,
)


# -- cloudfront-minimum-tls -------------------------------------------------------------------


def tls_version(protocol_version: Any) -> Any:
    """(major, minor) from a CloudFront security policy name such as TLSv1.2_2021; None for SSLv3."""
    match = _PROTOCOL_VERSION.match(protocol_version) if isinstance(protocol_version, str) else None
    return (int(match.group(1)), int(match.group(2) or 0)) if match else None


def _minimum_tls(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.CLOUDFRONT_DISTRIBUTION:
        return
    # With the default *.cloudfront.net certificate AWS fixes the policy at TLSv1; only a custom
    # certificate lets the distribution choose (and the program always uses one with a domain).
    if not _custom_certificate(args.props):
        return
    version = get(args.props, "viewerCertificate", "minimumProtocolVersion")
    if is_unknown(version):
        return
    parsed = tls_version(version)
    if parsed is None or parsed < MINIMUM_TLS:
        report_violation(
            message(
                args,
                f"viewerCertificate.minimumProtocolVersion is {show(version)}; viewers may connect with "
                "TLS older than 1.2",
                f'set minimum_protocol_version="{RECOMMENDED_PROTOCOL_VERSION}" and ssl_support_method="sni-only"',
            ),
            None,
        )


CLOUDFRONT_MINIMUM_TLS = ResourceValidationPolicy(
    name="cloudfront-minimum-tls",
    description="Distributions with a custom certificate require TLS 1.2 or newer from viewers.",
    validate=_minimum_tls,
)


# -- cloudfront-viewer-https ------------------------------------------------------------------


def _cache_behaviors(props: Any):
    default = get(props, "defaultCacheBehavior")
    if default is not None:
        yield "defaultCacheBehavior", default
    for index, behavior in enumerate(elements(props, "orderedCacheBehaviors")):
        yield f"orderedCacheBehaviors[{index}]", behavior


def _viewer_https(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.CLOUDFRONT_DISTRIBUTION:
        return
    for where, behavior in _cache_behaviors(args.props):
        policy = get(behavior, "viewerProtocolPolicy")
        if not is_unknown(policy) and policy not in HTTPS_VIEWER_POLICIES:
            report_violation(
                message(
                    args,
                    f"{where}.viewerProtocolPolicy is {show(policy)}; API requests and their tokens "
                    "would travel in clear text",
                    'set viewer_protocol_policy="redirect-to-https" (or "https-only")',
                ),
                None,
            )


CLOUDFRONT_VIEWER_HTTPS = ResourceValidationPolicy(
    name="cloudfront-viewer-https",
    description="Every cache behavior redirects viewers to HTTPS or accepts HTTPS only.",
    validate=_viewer_https,
)
