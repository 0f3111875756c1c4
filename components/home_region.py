"""The table's home region cannot move: `aws:region` changes are refused before anything is registered.

The table lives in the home region's provider; a new home would replace the table (and delete the
global table's data in every region). The program cannot read its own state, so it asks AWS: the
table carries its home region as a tag (replicas inherit it), and the first of the stack's regions
whose tagging API lists the table tells where home is. The tagging API answers an empty list when
nothing matches (a failed invoke would fail the whole Python program, even if caught), so a new
stack costs one call per region. A stack deployed before the tag existed gets it on its next
`pulumi up`; until then the check cannot tell and lets the update through.
"""

from typing import Optional

import pulumi_aws as aws

from components.config import HOME_REGION_KEY, ConfigError, Settings

HOME_REGION_TAG = "home-region"


def deployed_home_region(settings: Settings, table_name: str) -> Optional[str]:
    """The home region recorded on the deployed table, or None (a new stack or an untagged table)."""
    # The new home first: when only aws:region changed, the table is already there as a replica.
    for region in (settings.home_region, *settings.replica_regions):
        listed = aws.resourcegroupstaggingapi.get_resources(
            region=region,
            resource_type_filters=["dynamodb:table"],
            tag_filters=[
                aws.resourcegroupstaggingapi.GetResourcesTagFilterArgs(key=HOME_REGION_TAG),
                aws.resourcegroupstaggingapi.GetResourcesTagFilterArgs(key="project", values=[settings.project]),
                aws.resourcegroupstaggingapi.GetResourcesTagFilterArgs(key="stack", values=[settings.stack]),
            ],
        )
        for mapping in listed.resource_tag_mapping_lists:
            if mapping.resource_arn.endswith(f":table/{table_name}"):
                return mapping.tags.get(HOME_REGION_TAG)
    return None


def refuse_home_region_change(settings: Settings, table_name: str) -> None:
    deployed = deployed_home_region(settings, table_name)
    if deployed is not None and deployed != settings.home_region:
        raise ConfigError(
            HOME_REGION_KEY, settings.home_region,
            f"table {table_name} was created with home region {deployed}; a new home region would replace "
            "the table and delete its data in every region",
            f"{deployed}, the region this stack's table lives in",
            f"pulumi config set aws:region {deployed}  (to move the table, export the data and create a new stack)",
        )
