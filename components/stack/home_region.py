"""The table's home region cannot move: `aws:region` changes are refused before anything is registered.

The table lives in the home region's provider; a new home would replace the table (and delete the
global table's data in every region). The program cannot read its own state, so it asks AWS: the
table carries its home region as a tag (replicas inherit it), and the first of the stack's regions
whose tagging API lists the table tells where home is. The tagging API answers an empty list when
nothing matches (a failed invoke would fail the whole Python program, even if caught), so a new
stack costs one call per region. A stack deployed before the tag existed gets it on its next
`pulumi up`; until then the check cannot tell and lets the update through.
"""

import pulumi_aws as aws

from components.config import ConfigError, Settings
from components.registry import HOME_REGION_KEY, NAMESPACE
from components.stack.providers import PROJECT_TAG, STACK_TAG

HOME_REGION_TAG = "home-region"
CONSISTENCY_TAG = "consistency"  # eventual | strong: DynamoDB fixes it when the global table is created


def deployed_table_tags(settings: Settings, table_name: str) -> dict[str, str]:
    """The tags of the deployed table, or {} (a new stack: nothing of it is deployed)."""
    # The new home first: when only aws:region changed, the table is already there as a replica.
    for region in (settings.home_region, *settings.replica_regions):
        listed = aws.resourcegroupstaggingapi.get_resources(  # lists nothing, rather than failing, on a new stack
            region=region,
            resource_type_filters=["dynamodb:table"],
            # By the project and stack tags every release's providers set, not by home-region: a stack
            # deployed before that tag must still be found (and never be taken for a new one).
            tag_filters=[
                aws.resourcegroupstaggingapi.GetResourcesTagFilterArgs(key=PROJECT_TAG, values=[settings.project]),
                aws.resourcegroupstaggingapi.GetResourcesTagFilterArgs(key=STACK_TAG, values=[settings.stack]),
            ],
        )
        for mapping in listed.resource_tag_mapping_lists:
            if mapping.resource_arn.endswith(f":table/{table_name}"):
                return dict(mapping.tags)
    return {}


def refuse_home_region_change(settings: Settings, table_name: str) -> dict[str, str]:
    """Refuses a new home region or table consistency mode for a deployed table, before any resource;
    returns the deployed table's tags ({} on a new stack) for the rest of the program to read."""
    tags = deployed_table_tags(settings, table_name)
    deployed = tags.get(HOME_REGION_TAG)
    mode = tags.get(CONSISTENCY_TAG)
    if mode is not None and mode != settings.table_consistency:
        raise ConfigError(
            f"{NAMESPACE}:tableConsistency",
            settings.table_consistency,
            f"table {table_name} was created {mode}; DynamoDB cannot change a global table's consistency mode",
            f"{mode}, the mode this stack's table has",
            f"pulumi config set {NAMESPACE}:tableConsistency {mode}  (a {settings.table_consistency} table needs a new stack)",
        )
    if deployed is not None and deployed != settings.home_region:
        raise ConfigError(
            HOME_REGION_KEY,
            settings.home_region,
            f"table {table_name} was created with home region {deployed}; a new home region would replace "
            "the table and delete its data in every region",
            f"{deployed}, the region this stack's table lives in",
            f"pulumi config set aws:region {deployed}  (to move the table, export the data and create a new stack)",
        )
    return tags
