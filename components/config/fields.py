"""How a key is declared: its type, its help on the field, and the value forms the Pulumi CLI stores.

Every key's field carries its help: `description` is what is allowed, and `json_schema_extra` holds the usual
fix and what the error renderer (render.py) and the key checks (keys.py) need to word an error without knowing
the key: see `helped`. Help text may say `$doors` or `$backends`, filled in from the registry when shown (a
door registered later is listed too).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticUndefined

from components.config.errors import full_key, problem
from components.registry import BACKENDS, DEFAULT_BACKEND, DOORS, MAX_WEIGHT, TRAFFIC_DIAL_RANGE
from components.stack import regions as region_catalogue
from components.stack.hostnames import SINGLE_DOOR_WEIGHT

# What a field's json_schema_extra may hold (all optional but `fix`):
#   fix        the usual fix, shown with `description` (what is allowed)
#   shape      a structured key's form ("a map {zone, name}"): JSON text must decode to it
#   example    a value of that shape, as written in Pulumi.<stack>.yaml
#   json       "always": text is JSON (a list or map key); "maps": only text starting with { or [ is JSON
#   empty      why an empty map is refused (every map key refuses one)
#   missing    the problem when a required key is not set
#   refused    what a refused value "is", instead of the generic words for pydantic's error type
#   item       a map's values' name ("weight", "dial"); item_refused: what a refused value is; item_fix: the
#              fix, where $item is the map key
#   key        the stack key when it is not global-serverless:<alias> (aws:region)
#   engine     a fact the engine knows (project, stack, home region), not a key of the namespace
HELP_KEYS = (
    "fix", "shape", "example", "json", "empty", "missing", "refused", "item", "item_refused", "item_fix", "key", "engine",
)  # fmt: skip


def helped(default: Any = PydanticUndefined, *, allowed: str, fix: str = "", factory: Any = None, **meta: Any) -> Any:
    """A field with its help: `allowed` (the description) and the fix, plus render metadata (HELP_KEYS) and
    pydantic's constraints (ge, le, min_length, strict)."""
    constraints = {k: meta.pop(k) for k in ("ge", "le", "min_length", "strict") if k in meta}
    unknown = set(meta) - set(HELP_KEYS)
    if unknown:
        raise TypeError(f"unknown help metadata {sorted(unknown)}")
    extra = {"fix": fix, **meta}
    if factory is not None:
        return Field(default_factory=factory, description=allowed, json_schema_extra=extra, **constraints)
    return Field(default, description=allowed, json_schema_extra=extra, **constraints)


def help_of(field: Any) -> dict[str, Any]:
    """A field's help: {"allowed": description, "fix": ..., and its metadata}."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return {"allowed": field.description or "", **extra}


def cli_int(value: Any) -> Any:
    """`pulumi config set key 2` stores the text "2" (or "-1"); anything else is for the strict int to refuse."""
    return int(value) if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value) else value


def cli_bool(value: Any) -> Any:
    """`pulumi config set key true` stores the text "true"; anything else is for the strict bool to refuse."""
    return {"true": True, "false": False}.get(value.lower(), value) if isinstance(value, str) else value


CliBool = Annotated[bool, BeforeValidator(cli_bool), Field(strict=True)]


def cli_int_in(low: int, high: Optional[int] = None) -> Any:
    """A whole number from low to high, also as the text the CLI stores."""
    return Annotated[int, BeforeValidator(cli_int), Field(strict=True, ge=low, le=high)]


def decode_json(value: Any, mode: str) -> tuple[Any, bool]:
    """(value, ok): Pulumi hands structured config to programs as JSON text; decoded values pass as they are."""
    if not isinstance(value, str) or (mode == "maps" and not value.lstrip().startswith(("{", "["))):
        return value, True
    try:
        return json.loads(value), True
    except json.JSONDecodeError:
        return value, False


REGION_CODES = "codes from components/stack/data/aws_regions.json, e.g. us-east-1, eu-west-1, ap-southeast-1"


def region_problem(code: Any, what: str = "") -> Optional[tuple[str, str]]:
    """(problem, fix) for a code that is not a region this stack can deploy to; None for a known code.

    China, GovCloud and the isolated regions are in other partitions: named as such, never "did you mean"."""
    label = f"{what} {json.dumps(code)}".strip()
    partition = region_catalogue.other_partition(code)
    if partition is not None:
        return (
            f"{label} is a region of the {partition} partition. {region_catalogue.PARTITION_NOTE}",
            f'replace {json.dumps(code)} with a region of the {region_catalogue.PARTITION} partition, e.g. "us-east-1"',
        )
    if isinstance(code, str) and region_catalogue.is_known(code):
        return None
    near = region_catalogue.closest_codes(code) if isinstance(code, str) else []
    return (
        f"{label} is not an AWS region code" + (f" (did you mean {', '.join(near)}?)" if near else ""),
        f"replace {json.dumps(code)} with a region code" + (f' such as "{near[0]}"' if near else ""),
    )


# -- The values of the top-level keys ------------------------------------------------------------

DOORS_ALLOWED = "one of $doors, or a map {strategy: weight} for an A/B split"


def known_region(code: str) -> str:
    wrong = region_problem(code)
    if wrong:
        raise problem(wrong[0], REGION_CODES, wrong[1])
    return code


def distinct(regions: tuple[str, ...]) -> tuple[str, ...]:
    for i, code in enumerate(regions):
        if code in regions[:i]:
            raise problem(
                f'"{code}" is listed twice', "each region code at most once", f'remove the second "{code}" from regions'
            )
    return regions


def known_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise problem(
            "unknown backend",
            " or ".join(f'"{b}"' for b in BACKENDS),
            f"pulumi config set {full_key('backend')} {DEFAULT_BACKEND}  (or {', '.join(set(BACKENDS) - {DEFAULT_BACKEND})})",
        )
    return backend


def known_door(door: str) -> str:
    if door not in DOORS:
        raise problem(
            f'"{door}" is not a front door (unknown front door name)',
            DOORS_ALLOWED.replace("$doors", ", ".join(DOORS)),
            f"pulumi config set {full_key('frontDoor')} {next(iter(DOORS))}  (or {', '.join(list(DOORS)[1:])}); in a "
            f'map, rename "{door}" to one of {", ".join(DOORS)}',
        )
    return door


def one_door(value: Any) -> Any:
    """A door's name is that door alone: a map of one (its weight is the single door's)."""
    return {value: SINGLE_DOOR_WEIGHT} if isinstance(value, str) else value


Region = Annotated[str, AfterValidator(known_region)]
Door = Annotated[str, AfterValidator(known_door)]
Weight = Annotated[int, Field(strict=True, ge=1, le=MAX_WEIGHT)]
Dial = Annotated[int, Field(strict=True, ge=TRAFFIC_DIAL_RANGE[0], le=TRAFFIC_DIAL_RANGE[1])]
Concurrency = Annotated[int, Field(strict=True, ge=1)]
