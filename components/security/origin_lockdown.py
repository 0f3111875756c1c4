"""OriginLockdown: the last rule on the ALB listener CloudFront uses, while CloudFront is the only door
that uses it (components/security/exposure.py `locked`): 403 to whatever lacks the origin secret.

Requests carrying the secret are forwarded first by the entry's per-version accept rules; while a door
sends clients to the entry directly, the entry's "open" rule (one priority ahead) forwards everything.
Nothing here has modes or reads what an earlier update left: moving a live stack to CloudFront alone
creates this rule early in the update, while the old door's "open" rule still forwards its clients, and
that rule goes at the end, after the old door's records (it is one of their dependencies). Leaving
CloudFront alone creates the "open" rule before the new door serves and deletes this one at the end.

The component stays at the stack's top level under the name every earlier release gave it, so a stack
that already has the rule keeps it (updated in place).
"""

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.registry import component_type

TYPE = component_type("OriginLockdown")
ORIGIN_LOCKDOWN_PRIORITY = 50000  # the last priority ELB allows: evaluated after every other rule

REFUSAL = json.dumps({"error": "forbidden: this endpoint serves requests through the stack's front door only"})


@dataclass(frozen=True)
class OriginLockdownArgs:
    listener_arn: pulumi.Input[str]  # the listener CloudFront uses


class OriginLockdown(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: OriginLockdownArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TYPE, name, None, opts)
        self.rule = aws.lb.ListenerRule(
            f"{name}-last",
            listener_arn=args.listener_arn,
            priority=ORIGIN_LOCKDOWN_PRIORITY,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["*"]))
            ],
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerRuleActionFixedResponseArgs(
                        content_type="application/json", status_code="403", message_body=REFUSAL
                    ),
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        self.register_outputs({})
