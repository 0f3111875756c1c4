"""Trimmed botocore service models for the API function: only the operations it calls.

A botocore client parses its service's whole model when it is created. The chaos client needs one
SSM operation, but SSM's model is ~140 KiB gzipped and costs ~60 ms of every cold start. botocore
looks for models on its data path first (`AWS_DATA_PATH`, documented in botocore's loaders), so
the function ships a model holding just the operations it calls and the shapes they reach, and
puts that directory first on its session's data path (functions/api/runtime.py).

    python -m offline.botocore_models          # check the shipped models match installed botocore
    python -m offline.botocore_models --write  # regenerate them after a botocore upgrade

Exit 0 when the shipped models are current (or were written), 1 when stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import botocore.session

from functions.api.contract import TRIMMED_SERVICE_OPERATIONS

MODELS_DIR = Path(__file__).resolve().parent.parent / "functions" / "api" / "models"
_DOC_KEYS = frozenset({"documentation", "documentationUrl", "deprecatedMessage"})


def trimmed_model(service: str, operations: tuple[str, ...]) -> tuple[str, dict]:
    """The API version and the service model reduced to `operations` and the shapes they reach."""
    loader = botocore.session.get_session().get_component("data_loader")
    api_version = loader.determine_latest_version(service, "service-2")
    full = loader.load_service_model(service, "service-2", api_version)

    missing = [name for name in operations if name not in full["operations"]]
    if missing:
        raise ValueError(f"{service} has no operation(s) {', '.join(missing)}")

    chosen = {name: _strip_docs(full["operations"][name]) for name in operations}
    shapes: dict[str, dict] = {}
    pending = [ref["shape"] for op in chosen.values() for ref in _operation_refs(op)]
    while pending:
        name = pending.pop()
        if name in shapes:
            continue
        shape = _strip_docs(full["shapes"][name])
        shapes[name] = shape
        pending.extend(_shape_refs(shape))

    model = {
        "version": full.get("version", "2.0"),
        "metadata": full["metadata"],
        "operations": chosen,
        "shapes": dict(sorted(shapes.items())),
    }
    return api_version, model


def _operation_refs(operation: dict) -> list[dict]:
    refs = [operation[key] for key in ("input", "output") if key in operation]
    return refs + list(operation.get("errors", []))


def _shape_refs(shape: dict) -> list[str]:
    refs = [member["shape"] for member in shape.get("members", {}).values()]
    refs += [shape[key]["shape"] for key in ("member", "key", "value") if key in shape]
    return refs


def _strip_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip_docs(value) for key, value in node.items() if key not in _DOC_KEYS}
    if isinstance(node, list):
        return [_strip_docs(value) for value in node]
    return node


def model_path(service: str, api_version: str) -> Path:
    return MODELS_DIR / service / api_version / "service-2.json"


def rendered(model: dict) -> str:
    return json.dumps(model, indent=1, sort_keys=True) + "\n"


def stale_models() -> list[str]:
    """Services whose shipped trimmed model differs from one made from the installed botocore."""
    stale = []
    for service, operations in TRIMMED_SERVICE_OPERATIONS.items():
        api_version, model = trimmed_model(service, operations)
        path = model_path(service, api_version)
        if not path.is_file() or path.read_text() != rendered(model):
            stale.append(f"{service} ({path.relative_to(MODELS_DIR.parent.parent.parent)})")
    return stale


def write_models() -> None:
    for service, operations in TRIMMED_SERVICE_OPERATIONS.items():
        api_version, model = trimmed_model(service, operations)
        path = model_path(service, api_version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered(model))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate the shipped models")
    args = parser.parse_args(argv)
    if args.write:
        write_models()
        print(f"wrote trimmed models for {', '.join(TRIMMED_SERVICE_OPERATIONS)}")
        return 0
    stale = stale_models()
    if stale:
        print(f"stale trimmed botocore models: {', '.join(stale)}; run: python -m offline.botocore_models --write")
        return 1
    print("trimmed botocore models are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
