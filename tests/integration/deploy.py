"""Build in ministack what the Pulumi program builds in AWS: global table, chaos parameter, API, ALB.

Values come from the shared contract (functions/api/contract.py) and the program's own plan, so the
integration tests deploy what `pulumi up` deploys, minus what ministack does not need (VPC, IAM).
"""

import time

from components.regional import function_settings as plan
from components.stack.packaging import API_SOURCE, build_zip
from functions.api import contract
from tests.integration.ministack import Ministack

ACCOUNT_ROLE = "arn:aws:iam::000000000000:role/global-serverless-api"


def wait_until(check, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll `check()` until it returns a truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not reached within {timeout}s")
        time.sleep(interval)


def create_global_table(ms: Ministack, name: str, home_region: str, replica_regions: tuple[str, ...] = ()) -> None:
    """The table in its home region (contract key schema, streams), then one replica per other region."""
    home = ms.client("dynamodb", home_region)
    home.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": contract.TABLE_HASH_KEY, "AttributeType": contract.TABLE_HASH_KEY_TYPE}
        ],
        KeySchema=[{"AttributeName": contract.TABLE_HASH_KEY, "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    home.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    if replica_regions:
        home.update_table(
            TableName=name, ReplicaUpdates=[{"Create": {"RegionName": region}} for region in replica_regions]
        )
    for region in replica_regions:
        replica = ms.client("dynamodb", region)
        wait_until(
            lambda replica=replica: replica.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
            timeout=20,
            what=f"replica of {name} in {region}",
        )


def put_chaos(ms: Ministack, region: str, parameter: str, value: str = contract.CHAOS_NONE) -> None:
    ms.client("ssm", region).put_parameter(Name=parameter, Value=value, Type="String", Overwrite=True)


def function_environment(table_name: str, chaos_parameter: str) -> dict[str, str]:
    return {
        contract.ENV_TABLE_NAME: table_name,
        contract.ENV_CHAOS_PARAMETER: chaos_parameter,
        contract.ENV_HEALTH_PATH: contract.DEFAULT_HEALTH_PATH,
        contract.ENV_SERVICE_NAME: contract.SERVICE_NAME,
        contract.ENV_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        **contract.LOGGING_ENVIRONMENT,
    }


def deploy_api_behind_alb(ms: Ministack, region: str, name: str, environment: dict[str, str]) -> str:
    """The API function (the zip the program deploys) behind an ALB; returns the load balancer's name."""
    lambda_ = ms.client("lambda", region)
    function = lambda_.create_function(
        FunctionName=name,
        Runtime=plan.FUNCTION_RUNTIME,
        Handler=contract.HANDLER,
        Role=ACCOUNT_ROLE,
        Code={"ZipFile": build_zip(API_SOURCE, contract.PACKAGE_NAME)},
        Timeout=plan.FUNCTION_TIMEOUT_SECONDS,
        MemorySize=plan.FUNCTION_MEMORY_MB,
        Environment={"Variables": environment},
    )
    lambda_.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 20})

    elb = ms.client("elbv2", region)
    load_balancer = elb.create_load_balancer(
        Name=name, Type="application", Scheme="internet-facing", Subnets=[f"subnet-{region}-a", f"subnet-{region}-b"]
    )
    target_group = elb.create_target_group(
        Name=name,
        TargetType="lambda",
        HealthCheckEnabled=True,
        HealthCheckPath=contract.DEFAULT_HEALTH_PATH,
        Matcher={"HttpCode": "200"},
    )["TargetGroups"][0]
    lambda_.add_permission(
        FunctionName=name,
        StatementId="alb-invoke",
        Action="lambda:InvokeFunction",
        Principal="elasticloadbalancing.amazonaws.com",
        SourceArn=target_group["TargetGroupArn"],
    )
    elb.register_targets(TargetGroupArn=target_group["TargetGroupArn"], Targets=[{"Id": function["FunctionArn"]}])
    elb.create_listener(
        LoadBalancerArn=load_balancer["LoadBalancers"][0]["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group["TargetGroupArn"]}],
    )
    return name
