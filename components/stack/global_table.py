"""GlobalTable: one DynamoDB table (global tables version 2019.11.21) with a replica per other region."""

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.registry import component_type
from components.stack.home_region import CONSISTENCY_TAG, HOME_REGION_TAG
from functions.api import contract

TYPE = component_type("GlobalTable")


@dataclass(frozen=True)
class GlobalTableArgs:
    table_name: str
    home_region: str
    replica_regions: tuple[str, ...]
    deletion_protection: bool
    consistency: str = "eventual"  # "strong": DynamoDB multi-Region strong consistency (MRSC)
    witness_region: Optional[str] = None


def regional_table_arn(home_arn: str, home_region: str, region: str) -> str:
    """A replica's ARN: the table ARN with the region swapped (same account, same name)."""
    prefix, sep, rest = home_arn.partition(f":{home_region}:")
    if not sep:
        raise ValueError(f"table ARN {home_arn!r} does not name region {home_region}")
    return f"{prefix}:{region}:{rest}"


class GlobalTable(pulumi.ComponentResource):
    """The table lives in the home region (its provider); `replicas` adds one per other region.

    Never the legacy `aws.dynamodb.GlobalTable`, and never `replicas` mixed with `TableReplica`.
    """

    def __init__(
        self,
        name: str,
        args: GlobalTableArgs,
        provider: pulumi.ProviderResource,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(TYPE, name, None, opts)
        self._home_region = args.home_region
        strong = args.consistency == "strong"

        self.table = aws.dynamodb.Table(
            name,
            name=args.table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=contract.TABLE_HASH_KEY,
            attributes=[
                aws.dynamodb.TableAttributeArgs(name=contract.TABLE_HASH_KEY, type=contract.TABLE_HASH_KEY_TYPE)
            ],
            stream_enabled=True,
            stream_view_type="NEW_AND_OLD_IMAGES",
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            deletion_protection_enabled=args.deletion_protection,
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            # MRSC tables take no TTL: tombstones and idempotency records then stay until removed by hand.
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=contract.TTL_ATTRIBUTE, enabled=True) if not strong else None,
            global_table_witness=(
                aws.dynamodb.TableGlobalTableWitnessArgs(region_name=args.witness_region)
                if args.witness_region
                else None
            ),
            # Replicas inherit them (propagate_tags): any region can tell the table's home and mode.
            tags={HOME_REGION_TAG: args.home_region, CONSISTENCY_TAG: args.consistency},
            replicas=[
                aws.dynamodb.TableReplicaArgs(
                    region_name=region,
                    point_in_time_recovery=True,
                    deletion_protection_enabled=args.deletion_protection,
                    propagate_tags=True,
                    consistency_mode="STRONG" if strong else None,
                )
                for region in args.replica_regions
            ],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        self.name = self.table.name
        self.arn = self.table.arn
        self.register_outputs({"name": self.name, "arn": self.arn})

    def arn_in(self, region: str) -> pulumi.Output[str]:
        home = self._home_region
        return self.table.arn.apply(lambda arn: regional_table_arn(arn, home, region))
