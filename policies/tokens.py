"""Resource type tokens the policies inspect (pulumi-aws v7) and the program's component types."""

from policies.common import constant, registry

# The program's doors and backends as the pack sees them (components/registry.py pack_facts, copied into
# policies/shared/registry.json by offline/pack_build.py).
PACK_FACTS = registry()

DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DYNAMODB_LEGACY_GLOBAL_TABLE = "aws:dynamodb/globalTable:GlobalTable"
DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"

LAMBDA_FUNCTION = "aws:lambda/function:Function"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_POLICY = "aws:iam/policy:Policy"

ACM_CERTIFICATE = "aws:acm/certificate:Certificate"
ACM_CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
CERTIFICATE_TYPES = (ACM_CERTIFICATE, ACM_CERTIFICATE_VALIDATION)

APIGATEWAYV2_API = "aws:apigatewayv2/api:Api"
APIGATEWAYV2_DOMAIN = "aws:apigatewayv2/domainName:DomainName"
APIGATEWAY_REST_API = "aws:apigateway/restApi:RestApi"
APIGATEWAY_DOMAIN = "aws:apigateway/domainName:DomainName"

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ALB_LOAD_BALANCER = "aws:alb/loadBalancer:LoadBalancer"
TARGET_GROUP_TYPES = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
LISTENER_TYPES = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_CERTIFICATE_TYPES = (
    "aws:lb/listenerCertificate:ListenerCertificate",
    "aws:alb/listenerCertificate:ListenerCertificate",
)

# What a client reaches a regional backend through: every backend's entry types, and a REST API (no backend
# of ours, but an entry all the same if one appears).
ENTRY_TYPES = (
    *dict.fromkeys(kind for facts in PACK_FACTS["backends"].values() for kind in facts["entry_types"]),
    APIGATEWAY_REST_API,
)

CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

GA_ACCELERATOR = "aws:globalaccelerator/accelerator:Accelerator"
GA_LISTENER = "aws:globalaccelerator/listener:Listener"
GA_ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"

ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"

# Component types the program registers (components/*.py): a project contract, like resource names.
REGIONAL_BACKEND_COMPONENT = f"{constant('TYPE_PREFIX')}RegionalBackend"  # components/registry.py component_type
