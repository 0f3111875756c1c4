"""Pure naming and planning: every child name derives from a component name and a region code.

Names never come from list positions, so reordering `regions` renames nothing; moving a resource to
another name later needs `aliases`.
"""

from components.config import DomainSettings, Settings


def regional(name: str, region: str) -> str:
    return f"{name}-{region}"


# Load balancers and target groups take 32 characters, and Pulumi appends "-" plus 7 random
# characters to a logical name, so their logical names stay within 24: `<region>-<kind>`.
ELB_NAME_LIMIT = 32
AUTONAME_SUFFIX = 8


def elb_logical_name(region: str, kind: str) -> str:
    name = f"{region}-{kind}"
    if len(name) + AUTONAME_SUFFIX > ELB_NAME_LIMIT:
        raise ValueError(f"{name!r} would autoname past the {ELB_NAME_LIMIT}-character ELB limit")
    return name


def table_name(settings: Settings) -> str:
    """Physical table name: the same in every replica region, readable in the console."""
    return f"{settings.project}-{settings.stack}-items"


def chaos_parameter_name(settings: Settings) -> str:
    """SSM parameter (one per region, same name) the API function reads for fault injection."""
    return f"/{settings.project}/{settings.stack}/chaos"


def certificate_names(domain: DomainSettings) -> tuple[str, tuple[str, ...]]:
    """(domain_name, subject_alternative_names): the name and one wildcard cover every hostname above."""
    return domain.fqdn, (domain.wildcard,)
