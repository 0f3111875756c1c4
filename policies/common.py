"""What every policy module shares: preview-safe property reads, regions, ARNs, IAM documents, messages.

Props arrive as the engine sends them: camelCase keys, numbers as floats, nested values wrapped in
pulumi_policy's unknown-checking proxies. During preview a value computed by another resource is
unknown and reading it raises UnknownValueError; `get` turns that into the UNKNOWN sentinel so a
policy skips just that value instead of abandoning the whole check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Optional

from pulumi_policy import proxy
from pulumi_policy.proxy import UnknownValueError

# ---------------------------------------------------------------------------------------------
# What the pack shares with the program. The pack imports nothing outside its folder (so it publishes on
# its own): `python -m offline.pack_build` (make pack) copies the program's facts into policies/shared/,
# and a test fails when the copy differs from what the program says.

SHARED_DIR = Path(__file__).resolve().parent / "shared"


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


@cache
def _shared(name: str) -> Any:
    path = SHARED_DIR / name
    try:
        return _frozen(json.loads(path.read_text()))
    except FileNotFoundError:
        raise RuntimeError(f"{path} is missing: run `make pack` (python -m offline.pack_build)") from None


def registry() -> Mapping[str, Mapping[str, Any]]:
    """The program's front doors and backends as the pack sees them: {"doors": {key: facts}, "backends": ...}
    (components/registry.py, copied into policies/shared/registry.json)."""
    return _shared("registry.json")


def constant(name: str) -> Any:
    """A name or value the program defines (listed, with the module it comes from, in
    policies/shared/constants.json); lists arrive as tuples, maps read-only."""
    values = _shared("constants.json")["values"]
    if name not in values:
        raise KeyError(
            f"{name} is not among the pack's shared constants: add it to offline/pack_build.py and run make pack"
        )
    return values[name]


# Lambda@Edge functions and CloudFront certificates live in this region only.
EDGE_REGION: str = constant("EDGE_REGION")

# The pack config property the stack's regions arrive in (policies cannot read stack config).
EXPECTED_REGIONS_PROPERTY = {
    "type": "array",
    "items": {"type": "string"},
    "description": "The stack's regions (global-serverless:regions); defaults to the regions that have a backend.",
}

# The strings pulumi_policy puts where preview does not know a value yet (UNKNOWN_STRING_VALUE, ...).
_SENTINELS = frozenset(
    getattr(proxy, name) for name in dir(proxy) if name.startswith("UNKNOWN_") and name.endswith("_VALUE")
)


class _Unknown:
    """A value the engine cannot know until the update runs (preview only)."""

    def __repr__(self) -> str:
        return "<unknown during preview>"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in _SENTINELS)


def get(obj: Any, *path: Any, default: Any = None) -> Any:
    """obj[path[0]][path[1]]...: `default` when a step is missing or None, UNKNOWN when one is unknown."""
    current = obj
    for key in path:
        if is_unknown(current):
            return UNKNOWN
        try:
            if isinstance(key, int):
                if not _is_sequence(current) or not -len(current) <= key < len(current):
                    return default
            elif not isinstance(current, Mapping) or key not in current:
                return default
            current = current[key]
        except UnknownValueError:
            return UNKNOWN
        if current is None:
            return default
    return UNKNOWN if is_unknown(current) else current


def elements(obj: Any, *path: Any) -> Iterator[Any]:
    """The items of the list at `path` (nothing when absent or unknown); unknown items come as UNKNOWN."""
    sequence = get(obj, *path)
    if not _is_sequence(sequence):
        return
    for index in range(len(sequence)):
        yield get(sequence, index)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


# Pulumi's wire format for a secret: {SECRET_SIG_KEY: SECRET_SIG, "value": <the value>}. The analyzer may hand
# secrets to a policy still wrapped (the offline engine does); `reveal` reads through the wrapping.
_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def reveal(value: Any) -> Any:
    """A value with any secret wrapping removed (UNKNOWN stays UNKNOWN)."""
    if isinstance(value, Mapping) and get(value, _SECRET_SIG_KEY) == _SECRET_SIG:
        return get(value, "value")
    return value


def plain(value: Any) -> Any:
    """A proxy-free copy (dicts and lists), with unknown leaves as UNKNOWN."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: plain(get(value, key)) for key in value}
    if _is_sequence(value):
        return [plain(get(value, index)) for index in range(len(value))]
    return value


# ---------------------------------------------------------------------------------------------
# Where a resource lives.


def region_of(resource: Any) -> Any:
    """A resource's region: its own `region` input (pulumi-aws v7), else its provider's region.

    Works for ResourceValidationArgs and PolicyResource alike; None when neither says.
    """
    explicit = get(resource.props, "region")
    if explicit:
        return explicit
    provider = getattr(resource, "provider", None)
    if provider is None:
        return None
    return get(provider.props, "region")


_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):(?P<account>\d*):(?P<resource>.+)$"
)


def parse_arn(arn: Any) -> Optional[re.Match]:
    if not isinstance(arn, str):
        return None
    return _ARN.match(arn)


def arn_region(arn: Any) -> Any:
    """The region an ARN names; UNKNOWN stays UNKNOWN, None when it is not an ARN."""
    if is_unknown(arn):
        return UNKNOWN
    match = parse_arn(arn)
    return match.group("region") if match else None


# ---------------------------------------------------------------------------------------------
# Messages: "<type> '<name>' in <region>: <problem>. Fix: <fix>."


def label(resource: Any) -> str:
    region = region_of(resource)
    where = "" if region is None else (" (region unknown during preview)" if is_unknown(region) else f" in {region}")
    return f"{resource.resource_type} '{resource.name}'{where}"


def message(resource: Any, problem: str, fix: str) -> str:
    return f"{label(resource)}: {problem}. Fix: {fix}."


def show(value: Any) -> str:
    """A value as a person reads it: 512.0 -> 512, lists and dicts as JSON, None -> (not set)."""
    if value is None:
        return "(not set)"
    if is_unknown(value):
        return "(unknown during preview)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (Mapping, list, tuple)) or _is_sequence(value):
        return json.dumps(plain(value), default=str)
    return str(value)


def number(value: Any) -> Optional[float]:
    """A numeric prop (the engine sends floats; tests may send ints or numeric strings)."""
    if is_unknown(value) or value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def config(args: Any, key: str, default: Any) -> Any:
    value = (args.get_config() or {}).get(key)
    return default if value is None else value


def config_int(args: Any, key: str, default: int) -> int:
    return int(number(config(args, key, default)) or 0)


def config_list(args: Any, key: str) -> Optional[list]:
    """A list-valued pack config property, or None when the pack config does not set it."""
    value = (args.get_config() or {}).get(key)
    if value is None:
        return None
    return [item for item in value]


# ---------------------------------------------------------------------------------------------
# IAM policy documents (JSON strings or maps).


def policy_document(value: Any) -> Any:
    """A policy document as a plain dict; UNKNOWN during preview; None when absent or not JSON."""
    if value is None:
        return None
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None
    document = plain(value)
    return document if isinstance(document, dict) else None


def statements(document: Any) -> list[dict]:
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement")
    if isinstance(raw, dict):
        return [raw]
    return [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def trusted_services(assume_role_policy: Any) -> Any:
    """Service principals a role's trust policy lets assume it; UNKNOWN during preview."""
    document = policy_document(assume_role_policy)
    if document is UNKNOWN:
        return UNKNOWN
    services: set[str] = set()
    for statement in statements(document):
        if statement.get("Effect", "Allow") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            services.update(str(s) for s in as_list(principal.get("Service")))
    return services
