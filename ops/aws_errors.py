"""One line a person can act on for any error on the way to AWS (shared by every ops CLI)."""

ACCESS_DENIED_CODES = ("AccessDenied", "AccessDeniedException", "UnrecognizedClientException")


def aws_problem(error: Exception, denied: str = "") -> str:
    """AWS's error code and message, or what kept the call from reaching AWS, in one line; `denied` is added
    to an access-denied answer (what the credentials were asked to do)."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        code = detail.get("Code", "Unknown")
        text = f"{code}: {detail.get('Message', '')}".rstrip(": ")
        if denied and code in ACCESS_DENIED_CODES:
            text += f" ({denied})"
    elif isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        text = "no AWS credentials (set AWS_PROFILE, or run aws sso login)"
    elif isinstance(error, ProfileNotFound):
        text = (
            f"the AWS profile {error.kwargs.get('profile', '')!r} (AWS_PROFILE) is not in the AWS config files: "
            "set AWS_PROFILE to one that is, or unset it"
        )
    elif isinstance(error, ConnectionError):  # endpoint unreachable, connect or read timeout, connection closed
        endpoint = error.kwargs.get("endpoint_url") or "the AWS endpoint"
        text = f"cannot reach {endpoint} (network, proxy or AWS_ENDPOINT_URL): {type(error).__name__}"
    elif isinstance(error, NoRegionError):
        text = "no AWS region (set AWS_REGION)"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())
