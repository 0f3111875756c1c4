"""Pure names and plans of a release (no pulumi import): what the program creates and ops.release drives.

Every region's API function publishes versions; entries invoke the `live` alias. With the `all-at-once`
strategy `pulumi up` moves the alias itself; otherwise a CodeDeploy deployment group per region (compute
platform Lambda) moves it, wave by wave, when `python -m ops.release` asks.
"""

ALIAS_NAME = "live"
# CodeDeploy applications and deployment groups are regional: the same names in every region.
DEPLOYMENT_GROUP_NAME = "live"
# The stack output ops.release reads: {region: function name}.
FUNCTIONS_OUTPUT = "functionNames"


def codedeploy_application_name(project: str, stack: str) -> str:
    """The CodeDeploy application (compute platform Lambda) of the stack's API function, in each region."""
    return f"{project}-{stack}-api"
