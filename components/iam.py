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
