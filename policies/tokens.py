"""Resource type tokens the policies inspect (pulumi-aws v7) and the program's component types."""

from components.registry import component_type

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

# What a client reaches a regional backend through.
ENTRY_TYPES = (LOAD_BALANCER, ALB_LOAD_BALANCER, APIGATEWAYV2_API, APIGATEWAY_REST_API)

CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

GA_ACCELERATOR = "aws:globalaccelerator/accelerator:Accelerator"
GA_LISTENER = "aws:globalaccelerator/listener:Listener"
GA_ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"

ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"

# Component types the program registers (components/*.py): a project contract, like resource names.
REGIONAL_BACKEND_COMPONENT = component_type("RegionalBackend")
