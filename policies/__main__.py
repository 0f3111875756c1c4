"""The CrossGuard entry point: `pulumi preview --policy-pack policies`. Builds the pack and nothing else.

Constructing PolicyPack starts the analyzer's gRPC server and blocks, so the policies themselves live
in importable modules (policies/catalog.py) that the offline checker and the tests share.
"""

import sys
from pathlib import Path

# The CLI runs this file from inside policies/; the policy modules import as `policies.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from policies.catalog import ALL_POLICIES, DEFAULT_ENFORCEMENT_LEVEL, PACK_NAME  # noqa: E402

PolicyPack(name=PACK_NAME, policies=ALL_POLICIES, enforcement_level=DEFAULT_ENFORCEMENT_LEVEL)
