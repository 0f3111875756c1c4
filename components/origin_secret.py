"""OriginSecret: the per-stack value CloudFront sends to prove a request came through it.

One random value per `originSecretVersion`. Raising the version by one rotates without downtime: the
new value is created, the entries accept it beside the old one before CloudFront starts sending it
(the distribution waits for their rules), and the old value goes on the rotation after.
"""

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_random as random

from components.catalogue import ORIGIN_SECRET_LENGTH, component_type
from components.origin_protection import accepted_versions

TYPE = component_type("OriginSecret")


@dataclass(frozen=True)
class OriginSecretArgs:
    version: int


class OriginSecret(pulumi.ComponentResource):
    def __init__(self, name: str, args: OriginSecretArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(TYPE, name, None, opts)
        values = {
            version: random.RandomPassword(
                f"{name}-v{version}",
                length=ORIGIN_SECRET_LENGTH,
                special=False,  # ALB header conditions treat * and ? as wildcards
                opts=pulumi.ResourceOptions(parent=self),
            ).result
            for version in accepted_versions(args.version)
        }
        self.current: pulumi.Output[str] = values[args.version]
        self.accepted: pulumi.Output[list] = pulumi.Output.all(*values.values())
        self.register_outputs({})
