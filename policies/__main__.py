"""The CrossGuard entry point: `pulumi preview --policy-pack policies`, `pulumi policy publish policies`.

Builds the pack and nothing else. Constructing PolicyPack starts the analyzer's gRPC server and blocks, so
the policies themselves live in importable modules (policies/catalog.py) that the offline checker and the
tests share.

The pack is self-contained: its modules import only the standard library, pulumi-policy (requirements.txt)
and each other, as `policies.*`, and what they share with the program is copied into shared/ by
`python -m offline.pack_build`. The CLI runs this file with the pack's folder on sys.path and nothing else
of this repository; once published, that folder is a download with another name. So the folder is loaded
here as the package `policies`, whatever it is called and wherever it lies.
"""

import importlib.util
import sys
from pathlib import Path

PACK_DIR = Path(__file__).resolve().parent


def _load_pack_package() -> None:
    loaded = sys.modules.get("policies")
    if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve().parent == PACK_DIR:
        return
    spec = importlib.util.spec_from_file_location(
        "policies", PACK_DIR / "__init__.py", submodule_search_locations=[str(PACK_DIR)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["policies"] = package
    spec.loader.exec_module(package)


_load_pack_package()

from pulumi_policy import PolicyPack  # noqa: E402

from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, PACK_NAME  # noqa: E402

PolicyPack(name=PACK_NAME, policies=ALL_POLICIES, enforcement_level=DEFAULT_ENFORCEMENT_LEVEL)
