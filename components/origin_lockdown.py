"""OriginLockdown: the last rule on every ALB listener that serves the API.

Locked (CloudFront is the stack's only door): it answers 403 to whatever lacks the origin secret (the
entry's own rule lets CloudFront's requests through first). Open (any other door), or pending (the
update that moves a live stack to CloudFront: see origin_protection.lock_state): it forwards
everything, like the listener's default.

Why a rule that is always there, in modes: the engine orders an update by the *new* program's
dependencies. Locking depends on the doors, so it happens after the names point at CloudFront; when
open, the main name's records depend on it instead, so it opens before any other door takes traffic.
Deleting the rule would wait for the end of the update, and clients of the new door would get 403 until
then.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components import naming
from components.catalogue import ORIGIN_LOCK_TAG, ORIGIN_LOCKDOWN_PRIORITY, component_type
from components.origin_protection import LOCKED, PENDING

TYPE = component_type("OriginLockdown")

REFUSAL = json.dumps({"error": "forbidden: this endpoint serves requests through the stack's front door only"})


@dataclass(frozen=True)
class OriginLockdownArgs:
    listener_arn: pulumi.Input[str]
    target_group_arn: pulumi.Input[str]
    state: str  # origin_protection.LOCKED | PENDING | OPEN
    after: tuple[pulumi.Resource, ...] = ()  # when locking: what traffic must move to first (doors, main name)


class OriginLockdown(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: OriginLockdownArgs, provider: aws.Provider, opts: Optional[pulumi.ResourceOptions] = None
    ):
        super().__init__(TYPE, name, None, opts)
        locked = args.state == LOCKED
        if locked:
            action = aws.lb.ListenerRuleActionArgs(
                type="fixed-response",
                fixed_response=aws.lb.ListenerRuleActionFixedResponseArgs(
                    content_type="application/json", status_code="403", message_body=REFUSAL
                ),
            )
        else:
            action = aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=args.target_group_arn)
        aws.lb.ListenerRule(
            f"{name}-last",
            listener_arn=args.listener_arn,
            priority=ORIGIN_LOCKDOWN_PRIORITY,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["*"]))
            ],
            actions=[action],
            tags={ORIGIN_LOCK_TAG: PENDING} if args.state == PENDING else None,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=list(args.after) if locked else []),
        )
        self.register_outputs({})


def lock_entries(
    backends: Mapping[str, Any], providers: Any, state: str, after: tuple[pulumi.Resource, ...] = ()
) -> tuple[pulumi.Resource, ...]:
    """One OriginLockdown per region whose entry serves through a listener (the ALBs)."""
    return tuple(
        OriginLockdown(
            naming.regional("lockdown", region),
            OriginLockdownArgs(
                listener_arn=backend.entry.served_listener_arn,
                target_group_arn=backend.entry.target_group_arn,
                state=state,
                after=after,
            ),
            provider=providers[region],
        )
        for region, backend in backends.items()
        if backend.entry.served_listener_arn is not None
    )
