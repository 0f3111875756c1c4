"""ConfigError, and how a rule says what is wrong: the problem, what is allowed and the fix."""

from __future__ import annotations

import json
from typing import Any, Optional

from pydantic_core import PydanticCustomError

from components.registry import NAMESPACE

UNSET: Any = object()  # a key the stack does not set
NOT_READ: Any = object()  # a key outside the namespace: its value is not read (it may be a secret)


class ConfigError(ValueError):
    """A stack config value the program cannot deploy, explained for the person who set it."""

    def __init__(self, key: str, value: Any, problem: str, allowed: str, fix: str):
        self.key = key
        self.value = value
        self.problem, self.allowed, self.fix = problem, allowed, fix
        shown = "(not set)" if value is UNSET else "(value not read)" if value is NOT_READ else json.dumps(value)
        super().__init__(f"Invalid stack config {key} = {shown}: {problem}\n  Allowed: {allowed}\n  Fix: {fix}")


def full_key(name: str) -> str:
    """global-serverless:<name>"""
    return f"{NAMESPACE}:{name}"


def problem(text: str, allowed: str, fix: str, key: Optional[str] = None) -> PydanticCustomError:
    """A rule's error in our words. `key` names the stack key where pydantic's location would not (a rule across
    keys, or a nested value whose error belongs to its top-level key); otherwise the location names it."""
    return PydanticCustomError(
        "stack_config", "{problem}", {"problem": text, "allowed": allowed, "fix": fix, "key": key}
    )
