"""ALB Lambda target groups: the health check must be switched on explicitly.

AWS leaves health checks off for Lambda targets unless asked (the provider documents `enabled` as
defaulting to true, which is not what the API does for Lambda). Without one the ALB never marks the
region unhealthy, and Global Accelerator, which reads ALB target health, never fails over.
"""

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies import tokens as t
from policies.common import get, is_unknown, message, show


def _health_check_enabled(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in t.TARGET_GROUP_TYPES:
        return
    target_type = get(args.props, "targetType")
    if target_type != "lambda":
        return
    enabled = get(args.props, "healthCheck", "enabled")
    if is_unknown(enabled):
        return
    if enabled is not True:
        report_violation(
            message(
                args,
                f"the Lambda target group's healthCheck.enabled is {show(enabled)}; AWS leaves Lambda target "
                "health checks off unless enabled explicitly, so the ALB and Global Accelerator never see "
                "the region fail",
                'set health_check=aws.lb.TargetGroupHealthCheckArgs(enabled=True, path="/health", ...)',
            ),
            None,
        )
        return
    path = get(args.props, "healthCheck", "path")
    if not is_unknown(path) and not path:
        report_violation(
            message(
                args,
                "the Lambda target group's health check has no path; the check would hit / instead of "
                "the API's health route",
                'set health_check path to the healthCheck.path of the stack ("/health")',
            ),
            None,
        )


LAMBDA_TARGET_GROUP_HEALTH_CHECK = ResourceValidationPolicy(
    name="lambda-target-group-health-check",
    description="Lambda target groups enable their health check explicitly, on the API's health path.",
    validate=_health_check_enabled,
)


def _access_logs_on(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (t.LOAD_BALANCER, t.ALB_LOAD_BALANCER):
        return
    if get(args.props, "loadBalancerType") not in (None, "application"):
        return
    enabled, bucket = get(args.props, "accessLogs", "enabled"), get(args.props, "accessLogs", "bucket")
    if is_unknown(enabled) or is_unknown(bucket):
        return
    if enabled is not True or not bucket:
        report_violation(
            message(
                args,
                f"access logs are off (accessLogs.enabled {show(enabled)}, bucket {show(bucket)}): requests that "
                "reach this region leave no record to investigate",
                "set access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=<the region's log bucket>, enabled=True) "
                "(components/observability/access_logs.py)",
            ),
            None,
        )


ALB_ACCESS_LOGS_ON = ResourceValidationPolicy(
    name="alb-access-logs-on",
    description="Every Application Load Balancer writes access logs to a bucket.",
    validate=_access_logs_on,
)
