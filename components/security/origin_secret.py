"""OriginSecret: the value CloudFront sends to prove a request came through it, and who accepts it.

One random value per `originSecretVersion` (pulumi_random RandomPassword `<name>-v<N>`, 40 letters and
digits). Each value that the HTTP APIs' functions accept is its own resource: per region, one SSM
SecureString parameter `/<project>/<stack>/origin-secret/v<N>` holding that version's value. A value is
accepted exactly while its parameter exists; the function lists the path (GetParametersByPath) through a
short cache and refreshes early when a request presents a value it does not know
(functions/api/access/origin_guard.py). Nobody keeps a list of versions by hand.

Why every change of the version is safe (up by one, down, or a jump): the program registers only the
CURRENT version's password and parameters, and the distribution `depends_on` them (`accepted_by`).
Pulumi's engine runs an update in this order (https://www.pulumi.com/docs/iac/guides/basics/how-pulumi-works/):
registrations are created or updated as the program makes them, and dependents wait for what they depend
on; "Once that process is complete and the language host has shut down, the engine looks for any
resources in the current state which it did not see a resource registration for ... [and] calls the
resource provider to delete" them. So, for a change from version A to version B:
1. the v<B> parameters are created in every region (CloudFront still sends A, whose parameters exist);
2. the distribution is updated to send B only after they exist (depends_on); the provider's update
   waits until CloudFront reports the change deployed (Distribution `wait_for_deployment`, default true:
   keep it), so while edges still send A, A's parameters exist;
3. only after the program has finished are the v<A> parameters (and password) deleted: nothing sends A.
At every moment the value CloudFront may send has a parameter, so it is accepted (a function's cache
only ever keeps a deleted value a little longer, never drops a live one: an unknown value triggers a
refresh). A rollback B -> A recreates A's password with a new random value (it was deleted), which is the
same as a rotation. An update that fails half way leaves both versions' parameters; the next update
deletes the one the program no longer registers, at its end again.

The old design (the previous release's origin_protection.accepted_versions: the function's env var held versions
(v, v-1)) was safe for +1 only: on 2 -> 1 or 1 -> 3 the function's update dropped the value CloudFront
still sent before the distribution changed (tests/unit/test_origin_secret.py replays both).

Reading: `ssm:GetParametersByPath` is authorized against the path in the request, not against the
parameters it returns (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html),
so the role needs that one action on `arn:aws:ssm:<region>:<account>:parameter<path>` (`parameter` followed
by the path, which starts with "/"), and the function must call it with exactly that path. Decryption:
the parameters use the AWS managed key `aws/ssm`; "The AWS managed key for Parameter Store (aws/ssm)
grants Decrypt permission to all IAM principals in the AWS account"
(https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html): the key
policy grants it, so the role needs no kms:Decrypt statement (a customer managed key would need one).

With `regions=()` (no function checks the secret, e.g. ALB entries, whose listener rules do) only the
current password is registered. The previous release's `accepted` list (versions v and v-1) is gone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.registry import ORIGIN_SECRET_LENGTH, PROJECT, component_type
from components.security.iam import allow
from functions.api import contract

TYPE = component_type("OriginSecret")
PATH_SEGMENT = "origin-secret"
READ_ACTIONS = contract.FUNCTION_ORIGIN_SECRET_ACTIONS
# SSM parameter names: letters, digits, _ . - and "/" between levels; no level may be empty.
_LEVEL = re.compile(r"^[A-Za-z0-9_.-]+$")
_MAX_NAME_LENGTH = 1011  # SSM's limit for a fully qualified name (the ARN adds the rest of 2048)


# Planning: plain functions, no Pulumi objects.


def parameter_path(stack: str, project: str = PROJECT) -> str:
    """The one path per stack under which each accepted version has its parameter (no trailing "/")."""
    for level in (project, stack):
        if not _LEVEL.match(level):
            raise ValueError(f"{level!r} cannot be part of an SSM parameter name (letters, digits, _ . - only)")
    if project.lower().startswith(("aws", "ssm")):
        raise ValueError(f"SSM parameter names cannot start with 'aws' or 'ssm': {project!r}")
    return f"/{project}/{stack}/{PATH_SEGMENT}"


def parameter_name(stack: str, version: int, project: str = PROJECT) -> str:
    if version < 1:
        raise ValueError(f"origin secret versions start at 1, not {version}")
    name = f"{parameter_path(stack, project)}/v{version}"
    if len(name) > _MAX_NAME_LENGTH:
        raise ValueError(f"SSM parameter name longer than {_MAX_NAME_LENGTH} characters: {name[:60]}...")
    return name


def password_name(component: str, version: int) -> str:
    """The RandomPassword's logical name (its URN must not change: the value would)."""
    return f"{component}-v{version}"


def parameter_logical_name(component: str, version: int, region: str) -> str:
    return f"{component}-v{version}-{region}"


def planned_parameters(stack: str, version: int, regions: tuple[str, ...]) -> dict[str, str]:
    """Region -> the name of the one parameter this program registers there (the current version's)."""
    return {region: parameter_name(stack, version) for region in regions}


def path_arn(path: str, region: str, account: str) -> str:
    """The ARN GetParametersByPath is authorized against: `parameter` immediately followed by the path."""
    if not path.startswith("/") or path.endswith("/"):
        raise ValueError(f"a parameter path starts with '/' and does not end with one: {path!r}")
    return f"arn:aws:ssm:{region}:{account}:parameter{path}"


@dataclass(frozen=True)
class ReadStatement:
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def read_statement(path: str, region: str, account: str) -> ReadStatement:
    """What the function's role needs in `region` to list the accepted values (no kms:Decrypt: aws/ssm)."""
    return ReadStatement(actions=READ_ACTIONS, resources=(path_arn(path, region, account),))


# The component.


@dataclass(frozen=True)
class OriginSecretArgs:
    version: int
    regions: tuple[str, ...] = ()  # where a function reads the accepted values (one parameter each)
    stack: str = ""  # names the parameter path; required with regions


class OriginSecret(pulumi.ComponentResource):
    """`current`: what CloudFront sends. `accepted_by`: every current-version parameter (the distribution
    depends on them). `parameters[region]`: that region's (its function should depend on it).
    `parameter_path`: what the function lists (ORIGIN_SECRET_PATH)."""

    current: pulumi.Output[str]
    accepted_by: tuple[pulumi.Resource, ...]
    parameters: Mapping[str, aws.ssm.Parameter]
    parameter_path: str

    def __init__(
        self,
        name: str,
        args: OriginSecretArgs,
        providers: Optional[Mapping[str, aws.Provider]] = None,  # or components.stack.providers.Providers
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__(TYPE, name, None, opts)
        if args.regions and not args.stack:
            raise ValueError("OriginSecretArgs.stack names the parameter path: set it with regions")
        by_region = {region: _provider(providers, region) for region in args.regions}
        # Only the current version: a version that leaves the program is deleted at the end of the update.
        self.current = random.RandomPassword(
            password_name(name, args.version),
            length=ORIGIN_SECRET_LENGTH,
            special=False,  # ALB header conditions treat * and ? as wildcards
            opts=pulumi.ResourceOptions(parent=self),
        ).result

        self.parameter_path = parameter_path(args.stack) if args.regions else ""
        self.parameters = {
            region: aws.ssm.Parameter(
                parameter_logical_name(name, args.version, region),
                name=parameter_name(args.stack, args.version),
                type="SecureString",  # encrypted with the AWS managed key aws/ssm (no key_id)
                value=self.current,
                tier="Standard",
                description=(
                    f"CloudFront origin secret version {args.version}: the API function accepts it while this "
                    "parameter exists (components/security/origin_secret.py)"
                ),
                opts=pulumi.ResourceOptions(parent=self, provider=by_region[region]),
            )
            for region in args.regions
        }
        self.accepted_by = tuple(self.parameters.values())
        self.register_outputs({})

    def function_environment(
        self, open_hosts: Optional[Iterable[str]] = None, *, legacy_values: bool = False
    ) -> dict[str, pulumi.Input[str]]:
        """The function's variables: where the accepted values are, and the names served without the secret.

        `legacy_values` also sets ORIGIN_SECRETS to [current] for the release that moves a stack to SSM: the
        Lambda update may apply the new configuration before the new code, and the previous release's code
        checks only ORIGIN_SECRETS (without it, it would serve everyone for that moment). Drop it after.
        """
        if not self.parameter_path:
            raise ValueError("OriginSecret without regions: no function reads the accepted values")
        variables: dict[str, pulumi.Input[str]] = {contract.ENV_ORIGIN_SECRET_PATH: self.parameter_path}
        hosts = sorted({host.lower() for host in open_hosts or ()})
        if hosts:
            variables[contract.ENV_ORIGIN_OPEN_HOSTS] = ",".join(hosts)
        if legacy_values:
            variables[contract.ENV_ORIGIN_SECRETS] = self.current.apply(lambda value: json.dumps([value]))
        return variables

    def read_statement(self, region: str) -> dict:
        """The role statement (components.security.iam.allow) for `region`; the account comes from its parameter's ARN,
        and the engine orders the role policy after the parameter. No kms:Decrypt: the key is aws/ssm."""
        path = self.parameter_path
        arn = self.parameters[region].arn.apply(
            lambda parameter_arn: path_arn(path, region, parameter_arn.split(":")[4])
        )
        return allow("OriginSecrets", list(READ_ACTIONS), arn)


def _provider(providers, region: str) -> aws.Provider:
    try:
        return providers[region]
    except (KeyError, TypeError):
        raise ValueError(f"OriginSecret needs a provider for region {region}") from None
