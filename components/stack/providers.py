"""One AWS provider per configured region, plus one in us-east-1 for edge and CloudFront resources.

Components never read `aws:region`: they receive the provider of the region they build in.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.registry import EDGE_REGION


@dataclass(frozen=True)
class Providers:
    by_region: Mapping[str, aws.Provider]
    edge: aws.Provider  # us-east-1: Lambda@Edge, CloudFront certificates, global resources
    home: aws.Provider

    def __getitem__(self, region: str) -> aws.Provider:
        return self.by_region[region]


# Every resource's tags (the providers' default tags); components/stack/home_region.py finds the deployed table by
# the project and stack tags.
PROJECT_TAG = "project"
STACK_TAG = "stack"
MANAGED_BY_TAG = "managed-by"


def default_tags(project: str, stack: str) -> dict[str, str]:
    return {PROJECT_TAG: project, STACK_TAG: stack, MANAGED_BY_TAG: "pulumi"}


def build_providers(regions: Sequence[str], home_region: str, tags: Mapping[str, str]) -> Providers:
    """A provider per region (the stack's, then the probes' extra vantage regions, which hold only probes)."""
    default = aws.ProviderDefaultTagsArgs(tags=dict(tags))
    by_region = {region: aws.Provider(f"aws-{region}", region=region, default_tags=default) for region in regions}
    edge = by_region.get(EDGE_REGION) or aws.Provider(f"aws-{EDGE_REGION}", region=EDGE_REGION, default_tags=default)
    return Providers(by_region=by_region, edge=edge, home=by_region[home_region])


def invoke_options(provider: aws.Provider) -> pulumi.InvokeOutputOptions:
    return pulumi.InvokeOutputOptions(provider=provider)
