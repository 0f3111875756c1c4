"""AccessLogBucket: where one region's ALB writes its access logs.

Private (every public access blocked), encrypted with SSE-S3 (the only encryption ALB log delivery
supports), TLS-only, expiring after `accessLogDays`, writable by that region's log delivery principal
under AWSLogs/<account>/ only. On teardown or a backend switch: with deletion protection the bucket and
its logs stay behind (retained, delete by hand) together with everything that keeps them private,
encrypted, TLS-only and expiring; without, they go with the stack.
"""

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.registry import ELB_LOG_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL, component_type

TYPE = component_type("AccessLogBucket")


@dataclass(frozen=True)
class AccessLogBucketArgs:
    region: str
    expiration_days: int
    keep_on_delete: bool  # the stack's deletionProtection


def delivery_principal(region: str) -> dict:
    """Who may write the region's logs (components/registry.py, ELB_LOG_ACCOUNTS): the region's Elastic
    Load Balancing account and the log delivery service principal where the region has an account (so
    delivery keeps working whichever of the two the region uses), the service principal alone elsewhere."""
    account = ELB_LOG_ACCOUNTS.get(region)
    service = {"Service": ELB_LOG_DELIVERY_PRINCIPAL}
    return {"AWS": f"arn:aws:iam::{account}:root", **service} if account else service


def bucket_policy(bucket_arn: str, account_id: str, region: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AlbLogDelivery",
                    "Effect": "Allow",
                    "Principal": delivery_principal(region),
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
                },
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


class AccessLogBucket(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: AccessLogBucketArgs,
        provider: aws.Provider,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__(TYPE, name, None, opts)
        # A kept bucket keeps its settings too: each of them is a resource of its own (S3's
        # PutPublicAccessBlock, PutBucketEncryption, PutBucketLifecycleConfiguration, PutBucketPolicy), and
        # deleting one on destroy would leave the retained logs never expiring (DeleteBucketLifecycle),
        # open to a public policy (DeletePublicAccessBlock) and readable over plain HTTP (DeleteBucketPolicy).
        # retain_on_delete: "the providers Delete method will not be called for this resource" (the installed
        # pulumi SDK, ResourceOptions.retain_on_delete); every child is kept with the bucket for that reason.
        child = pulumi.ResourceOptions(parent=self, provider=provider, retain_on_delete=args.keep_on_delete)
        bucket = aws.s3.Bucket(name, force_destroy=not args.keep_on_delete, opts=child)
        blocked = aws.s3.BucketPublicAccessBlock(
            f"{name}-private",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-expiry",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expiration_days),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=1
                    ),
                )
            ],
            opts=child,
        )
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider)).account_id
        # The ALB checks it may write when logging is switched on: it waits for this policy.
        self.policy = aws.s3.BucketPolicy(
            f"{name}-delivery",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, account).apply(
                lambda values: bucket_policy(values[0], values[1], args.region)
            ),
            # S3 refuses a policy while the public access block is being written.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[blocked])),
        )
        self.bucket_name = bucket.bucket
        self.register_outputs({"bucket": bucket.bucket})
