"""Which front door a request came through, for the per-door metrics (the EMF dimension contract.DIMENSION_FRONT_DOOR).

The function ships alone, so it knows no door by name: the program tells it, from each door's facts
(components/registry.py; components/regional/function_settings.py door_environment), how to recognise each
door of the stack, and this applies the rules in order:

- a door that marks every request it routes with a header of its own (FRONT_DOOR_HEADERS);
- a door that reaches the entry on a listener port of its own, which the ALB reports in X-Forwarded-Port
  (FRONT_DOOR_PORTS);
- direct: a region's own name (<region>.<name>);
- the rest: the door whose clients connect to the entries themselves (FRONT_DOOR_CLIENTS), or direct when
  the stack has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from . import contract

DIRECT = contract.DIRECT_DOOR


@dataclass(frozen=True)
class DoorSettings:
    doors: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case header -> the door that sets it
    ports: Mapping[str, str] = field(default_factory=dict)  # X-Forwarded-Port value -> the door of that port
    client_door: str | None = None  # the door whose clients reach the entries by DNS
    direct_hosts: frozenset[str] = frozenset()


def front_door(header, host: str | None, settings: DoorSettings) -> str:
    """`header(name)` reads a request header (lower-case name); `host` is the name the client asked for."""
    for name, door in settings.headers.items():
        if header(name):
            return door
    if settings.ports:
        door = settings.ports.get(header("x-forwarded-port") or "")
        if door is not None:
            return door
    if host is not None and host.lower().split(":")[0] in settings.direct_hosts:
        return DIRECT
    return settings.client_door or DIRECT


def parse_pairs(variable: str, text: str, key_ok) -> dict[str, str]:
    """`a=b,c=d` -> {a: b, c: d}; ValueError naming the variable for anything else."""
    pairs = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, door = item.partition("=")
        if not sep or not door or not key_ok(key):
            raise ValueError(
                f"{variable}={text!r} is invalid: comma-separated key=door pairs (set by the Pulumi program)"
            )
        pairs[key] = door
    return pairs


def door_settings(env: Mapping[str, str]) -> DoorSettings:
    """The door rules from the function's environment (ValueError naming the variable when malformed)."""

    def is_port(text: str) -> bool:
        return text.isdigit() and 1 <= int(text) <= 65535

    return DoorSettings(
        doors=tuple(d for d in env.get(contract.ENV_DOORS, "").split(",") if d),
        headers={
            h.lower(): d
            for h, d in parse_pairs(contract.ENV_DOOR_HEADERS, env.get(contract.ENV_DOOR_HEADERS, ""), bool).items()
        },
        ports=parse_pairs(contract.ENV_DOOR_PORTS, env.get(contract.ENV_DOOR_PORTS, ""), is_port),
        client_door=env.get(contract.ENV_CLIENT_DOOR, "").strip() or None,
        direct_hosts=frozenset(h.lower() for h in env.get(contract.ENV_DIRECT_HOSTS, "").split(",") if h),
    )
