"""IAM documents the components write: who may assume a role, and what a role may do."""

import json
from typing import Any

import pulumi

VERSION = "2012-10-17"


def assume_role_policy(*services: str) -> str:
    """A trust policy that lets these AWS services assume the role."""
    principal = services[0] if len(services) == 1 else list(services)
    return json.dumps(
        {
            "Version": VERSION,
            "Statement": [{"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}],
        }
    )


def allow(sid: str, actions: list[str], resource: Any) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def policy_document(*statements: dict) -> pulumi.Output[str]:
    """A permissions policy whose resources may be Outputs."""
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": list(statements)})


def service_trust_policy(service: str, source_account: Any, source_arn: Any = None) -> pulumi.Output[str]:
    """A trust policy for one AWS service that holds only when it acts for `source_account` (and, when
    given, for resources matching `source_arn`): the confused-deputy guard. Values may be Outputs."""
    condition: dict = {"StringEquals": {"aws:SourceAccount": source_account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": [{**statement, "Condition": condition}]})
