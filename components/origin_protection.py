"""The previous release's origin-secret rule, kept only so a test can show what it got wrong.

Exposure is planned by components/exposure.py; secrets by components/origin_secret.py.
"""


def accepted_versions(version: int) -> tuple[int, ...]:
    """What the previous release accepted: the current version and the one before (safe only for +1)."""
    return (version, version - 1) if version > 1 else (version,)
