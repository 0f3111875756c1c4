"""Every policy of the pack, in the order they report, plus the pack's name and default level."""

from pulumi_policy import EnforcementLevel, Policy

from policies.alarms import ALARMS_NOTIFY
from policies.apigateway import APIGATEWAY_REGIONAL_CUSTOM_DOMAIN
from policies.auth import JWT_AUTHORIZER_ON_WRITE_ROUTES
from policies.certificates import REGIONAL_CERTIFICATE_SAME_REGION
from policies.cloudfront import CLOUDFRONT_CERTIFICATE_US_EAST_1, CLOUDFRONT_MINIMUM_TLS, CLOUDFRONT_VIEWER_HTTPS
from policies.edge_lambda import (
    EDGE_FUNCTION_LIMITS,
    EDGE_FUNCTION_PUBLISHED,
    EDGE_FUNCTION_ROLE_TRUST,
    EDGE_FUNCTION_SUPPORTED_CONFIG,
    EDGE_FUNCTION_US_EAST_1,
)
from policies.front_door import FRONT_DOOR_MATCHES_CONFIG
from policies.global_accelerator import GA_ALB_ENDPOINTS_ONLY, GA_CLIENT_IP_PRESERVATION, GA_ENDPOINT_GROUP_PER_REGION
from policies.iam import LAMBDA_ROLE_NO_WILDCARD_ACTIONS
from policies.load_balancer import ALB_ACCESS_LOGS_ON, LAMBDA_TARGET_GROUP_HEALTH_CHECK
from policies.origin import (
    APIGATEWAY_DEFAULT_ENDPOINT_DISABLED,
    FRONT_DOOR_NOT_BYPASSABLE,
    NO_PLAINTEXT_HOP,
    WAF_ATTACHED_WHEN_CONFIGURED,
)
from policies.parity import REGION_PARITY
from policies.regions import BACKEND_IN_EVERY_REGION, MIN_REGIONS
from policies.release import COLD_STARTS_ON_VERSIONS, ENTRIES_INVOKE_ALIAS
from policies.route53 import (
    DNS_RECORD_MAX_TTL,
    HEALTH_CHECK_CHECKER_REGIONS,
    HEALTH_CHECK_REQUEST_INTERVAL,
    LATENCY_RECORD_HEALTH_CHECKED,
    LATENCY_RECORD_UNIQUE_SET_IDENTIFIER,
)
from policies.service_trust import SERVICE_TRUST_CONFUSED_DEPUTY
from policies.table import (
    GLOBAL_TABLE_NO_REPLICA_MIX,
    GLOBAL_TABLE_VERSION,
    TABLE_DELETION_PROTECTION,
    TABLE_PAY_PER_REQUEST,
    TABLE_POINT_IN_TIME_RECOVERY,
    TABLE_REPLICA_REGIONS,
    TABLE_STREAMS,
    TABLE_STRONG_CONSISTENCY,
)

PACK_NAME = "global-serverless-multi-region"
# Every policy is mandatory unless a stack's pack config says otherwise (generated from the stack config by
# offline/pack_config.py: `make preview/up` pass it with --policy-pack-config).
DEFAULT_ENFORCEMENT_LEVEL = EnforcementLevel.MANDATORY

ALL_POLICIES: list[Policy] = [
    # Data: one global table, version 2019.11.21, safe in every region.
    GLOBAL_TABLE_VERSION,
    GLOBAL_TABLE_NO_REPLICA_MIX,
    TABLE_STREAMS,
    TABLE_PAY_PER_REQUEST,
    TABLE_POINT_IN_TIME_RECOVERY,
    TABLE_DELETION_PROTECTION,
    TABLE_REPLICA_REGIONS,
    TABLE_STRONG_CONSISTENCY,
    # Regions: enough of them, a backend in each, all alike.
    MIN_REGIONS,
    BACKEND_IN_EVERY_REGION,
    REGION_PARITY,
    # Regional backends.
    LAMBDA_ROLE_NO_WILDCARD_ACTIONS,
    SERVICE_TRUST_CONFUSED_DEPUTY,
    APIGATEWAY_REGIONAL_CUSTOM_DOMAIN,
    REGIONAL_CERTIFICATE_SAME_REGION,
    LAMBDA_TARGET_GROUP_HEALTH_CHECK,
    # Releases: entries invoke an alias of published versions, where SnapStart and provisioned concurrency apply.
    ENTRIES_INVOKE_ALIAS,
    COLD_STARTS_ON_VERSIONS,
    # Front doors.
    FRONT_DOOR_MATCHES_CONFIG,
    LATENCY_RECORD_HEALTH_CHECKED,
    LATENCY_RECORD_UNIQUE_SET_IDENTIFIER,
    DNS_RECORD_MAX_TTL,
    HEALTH_CHECK_CHECKER_REGIONS,
    HEALTH_CHECK_REQUEST_INTERVAL,
    GA_ENDPOINT_GROUP_PER_REGION,
    GA_ALB_ENDPOINTS_ONLY,
    GA_CLIENT_IP_PRESERVATION,
    CLOUDFRONT_CERTIFICATE_US_EAST_1,
    CLOUDFRONT_MINIMUM_TLS,
    CLOUDFRONT_VIEWER_HTTPS,
    EDGE_FUNCTION_US_EAST_1,
    EDGE_FUNCTION_PUBLISHED,
    EDGE_FUNCTION_SUPPORTED_CONFIG,
    EDGE_FUNCTION_LIMITS,
    EDGE_FUNCTION_ROLE_TRUST,
    # Security: nobody around the front door, nothing in plain text.
    FRONT_DOOR_NOT_BYPASSABLE,
    APIGATEWAY_DEFAULT_ENDPOINT_DISABLED,
    NO_PLAINTEXT_HOP,
    ALB_ACCESS_LOGS_ON,
    WAF_ATTACHED_WHEN_CONFIGURED,
    JWT_AUTHORIZER_ON_WRITE_ROUTES,
    # Operations.
    ALARMS_NOTIFY,
]

POLICIES_BY_NAME: dict[str, Policy] = {policy.name: policy for policy in ALL_POLICIES}
