"""`python -m offline.plan --stack dev [--config key=value ...]`: what a stack would create, offline.

Runs the program under Pulumi mocks (no CLI, no AWS) and prints the resources per region and the
stack outputs as mocks compute them. A config error prints its message and exits 2.
"""

import sys
from collections import Counter

from components.config import ConfigError
from components.exposure import security_summary
from offline.run import run_program
from offline.stack_config import StackConfigError, stack_arguments
from offline.stack_facts import stack_settings


def main(argv: list[str] | None = None) -> int:
    parser = stack_arguments(
        "python -m offline.plan", __doc__, "override a stack config value, e.g. --config 'regions=[\"us-east-1\"]'"
    )
    args = parser.parse_args(argv)
    try:
        settings = stack_settings(args.stack, args.config)
        run = run_program(args.stack, overrides=args.config)
    except (ConfigError, StackConfigError) as error:
        print(error, file=sys.stderr)
        return 2

    by_region: dict[str, Counter] = {}
    for resource in run.resources:
        if resource.custom and not resource.type.startswith("pulumi:providers:"):
            by_region.setdefault(resource.region, Counter())[resource.type] += 1
    total = sum(sum(c.values()) for c in by_region.values())
    print(f"stack {args.stack}: {total} resources in {len(by_region)} regions (offline plan under Pulumi mocks)")
    for region in sorted(by_region):
        print(f"\n{region} ({sum(by_region[region].values())})")
        for type_token, count in sorted(by_region[region].items()):
            print(f"  {count:3d}  {type_token}")
    print("\nsecurity:")
    for line in security_summary(
        settings.strategies,
        settings.backend,
        settings.domain is not None,
        settings.allow_plaintext,
        waf_rate_limit=settings.waf.rate_limit if settings.waf else None,
        auth_issuer=settings.auth.issuer if settings.auth else None,
        protect_reads=bool(settings.auth and settings.auth.protect_reads),
    ):
        print(f"  {line}")
    print("\noutputs (mock values):")
    for key, value in run.outputs.items():
        print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
