"""The one record a regional backend hands to every front door."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Optional

import pulumi


@dataclass(frozen=True)
class AliasTarget:
    """Where a Route 53 alias record for one hostname must point in one region."""

    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]


@dataclass(frozen=True)
class RegionalEndpoint:
    region: str
    backend: str  # a key of components/registry.py BACKENDS
    # The hostname that reaches this region directly: its regional custom domain when a domain is
    # configured, else the ALB's or the API's own AWS hostname.
    hostname: pulumi.Output[str]
    protocol: str  # "https", or "http" for an ALB without a custom domain (no certificate)
    health_path: str
    # Hostname -> alias target for every hostname this region serves (empty without a domain).
    aliases: Mapping[str, AliasTarget] = field(default_factory=dict)
    alb_arn: Optional[pulumi.Output[str]] = None
    # What a door must wait for before it sends traffic here, by how it reaches the entry
    # (DoorFacts.reaches_entry): the security-group rules and the listener that admit it. A door's
    # resources depend on them, so they are created before the door and deleted after it.
    gates: Mapping[str, tuple[pulumi.Resource, ...]] = field(default_factory=dict)
    # No public address: only doors that reach entries privately get here (components/security/exposure.py).
    private: bool = False

    @classmethod
    def build(
        cls,
        region: str,
        backend: str,
        hostname: pulumi.Output[str],
        protocol: str,
        health_path: str,
        aliases: Optional[Mapping[str, AliasTarget]] = None,
        alb_arn: Optional[pulumi.Output[str]] = None,
        gates: Optional[Mapping[str, tuple[pulumi.Resource, ...]]] = None,
        private: bool = False,
    ) -> "RegionalEndpoint":
        return cls(
            region=region,
            backend=backend,
            hostname=hostname,
            protocol=protocol,
            health_path=health_path,
            aliases=dict(aliases or {}),
            alb_arn=alb_arn,
            gates=dict(gates or {}),
            private=private,
        )

    def gates_for(self, reaches_entry: str) -> tuple[pulumi.Resource, ...]:
        """What a door that reaches the entry this way waits for (empty when nothing gates it)."""
        return tuple(self.gates.get(reaches_entry, ()))

    def with_hostname(self, hostname: pulumi.Output[str]) -> "RegionalEndpoint":
        """The same endpoint reached through `hostname` (an Output that carries its record as a dependency)."""
        return replace(self, hostname=hostname)

    @property
    def url(self) -> pulumi.Output[str]:
        protocol = self.protocol
        return self.hostname.apply(lambda h: f"{protocol}://{h}")

    @property
    def health_url(self) -> pulumi.Output[str]:
        protocol, path = self.protocol, self.health_path
        return self.hostname.apply(lambda h: f"{protocol}://{h}{path}")

    @property
    def port(self) -> int:
        return 443 if self.protocol == "https" else 80

    def alias_for(self, hostname: str) -> AliasTarget:
        try:
            return self.aliases[hostname]
        except KeyError:
            raise KeyError(
                f"the {self.backend} backend in {self.region} does not serve {hostname}; "
                f"it serves {sorted(self.aliases)}"
            ) from None
