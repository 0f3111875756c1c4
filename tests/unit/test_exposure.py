"""Who may reach a regional entry (components/security/exposure.py), and which stacks send traffic unencrypted: pure planning."""

import pytest

from components.config import ConfigError, parse_settings
from components.security.exposure import entry_access, plaintext_hop, plan_exposure

BASE = {"regions": '["us-east-1", "eu-west-1"]'}
DOMAIN = '{"zone": "example.com", "name": "api"}'


# The exposure table (README, "Security and exposure"): every door set a stack can have, each backend.
# (strategies, backend, scheme, secret sent, locked to CloudFront, function checks, entryAccess)
EXPOSURE_TABLE = [
    (("route53",), "alb", "internet-facing", False, False, False, "public"),
    (("globalaccelerator",), "alb", "internal", False, False, False, "internal"),
    (("cloudfront",), "alb", "internet-facing", True, True, False, "cloudfront-only"),
    (("cloudfront", "route53"), "alb", "internet-facing", True, False, False, "public"),
    (("globalaccelerator", "route53"), "alb", "internet-facing", False, False, False, "public"),
    # GA reaches the ALB on a port of its own, which nobody can restrict to GA (client IPs are preserved).
    (("cloudfront", "globalaccelerator"), "alb", "internet-facing", True, True, False, "public"),
    (("route53",), "apigateway", "internet-facing", False, False, False, "public"),
    (("cloudfront",), "apigateway", "internet-facing", True, True, True, "cloudfront-only"),
    (("cloudfront", "route53"), "apigateway", "internet-facing", True, False, False, "public"),
]


@pytest.mark.parametrize(("strategies", "backend", "scheme", "secret", "locked", "guard", "access"), EXPOSURE_TABLE)
def test_the_exposure_table(strategies, backend, scheme, secret, locked, guard, access):
    exposure = plan_exposure(strategies, backend)
    assert exposure.scheme == scheme
    assert exposure.origin_secret is secret
    assert exposure.locked is locked
    assert exposure.guard_in_function is guard
    assert set(entry_access(exposure, strategies, ("us-east-1", "eu-west-1")).values()) == {access}


def test_only_a_door_set_with_a_direct_door_makes_the_entries_public():
    assert plan_exposure(("route53",), "alb").direct_doors == ("route53",)
    assert plan_exposure(("cloudfront", "globalaccelerator"), "alb").direct_doors == ()


@pytest.mark.parametrize(
    ("before", "after", "replaced"),
    [
        # Only Global Accelerator alone keeps ALBs internal: CloudFront's router is a Lambda@Edge
        # origin-request function, which VPC origins do not support (see components/security/exposure.py).
        (("globalaccelerator",), ("route53",), True),
        (("globalaccelerator",), ("cloudfront",), True),
        (("globalaccelerator",), ("cloudfront", "globalaccelerator"), True),
        (("route53",), ("cloudfront",), False),
        (("cloudfront",), ("cloudfront", "globalaccelerator"), False),
        (("cloudfront", "route53"), ("cloudfront",), False),
    ],
)
def test_which_switches_change_the_alb_scheme(before, after, replaced):
    assert (plan_exposure(before, "alb").scheme != plan_exposure(after, "alb").scheme) is replaced


@pytest.mark.parametrize(
    ("backend", "domain", "strategies", "hop"),
    [
        ("alb", False, ("cloudfront",), "CloudFront -> ALB is plain HTTP across the internet"),
        ("alb", False, ("globalaccelerator",), "clients -> Global Accelerator -> ALB is plain HTTP on port 80"),
        ("alb", True, ("cloudfront",), None),
        ("apigateway", False, ("cloudfront",), None),  # execute-api serves HTTPS on its own name
    ],
)
def test_the_plaintext_hop_is_named(backend, domain, strategies, hop):
    found = plaintext_hop(backend, domain, strategies)
    assert found == (None if hop is None else f"without a domain the alb backend has no certificate, so {hop}")


@pytest.mark.parametrize("door", ["cloudfront", "globalaccelerator"])
def test_an_alb_without_a_domain_is_refused_with_key_value_allowed_and_fix(door):
    with pytest.raises(ConfigError) as caught:
        parse_settings({**BASE, "backend": "alb", "frontDoor": door}, "us-east-1")
    error = caught.value
    assert error.key == "global-serverless:backend" and error.value == "alb"
    assert "plain HTTP" in str(error) and "without a domain" in str(error)
    assert "global-serverless:allowPlaintext: true" in error.allowed
    assert "set domain:" in error.fix and "pulumi config set global-serverless:allowPlaintext true" in error.fix


def test_allow_plaintext_accepts_it_and_the_settings_remember_which_hop():
    settings = parse_settings(
        {**BASE, "backend": "alb", "frontDoor": "cloudfront", "allowPlaintext": "true"}, "us-east-1"
    )
    assert settings.allow_plaintext and "CloudFront -> ALB" in settings.plaintext_hop


def test_a_domain_needs_no_allowance():
    settings = parse_settings({**BASE, "backend": "alb", "frontDoor": "cloudfront", "domain": DOMAIN}, "us-east-1")
    assert settings.plaintext_hop is None


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "24001"])
def test_a_bad_origin_secret_version_names_the_key_and_how_to_rotate(value):
    with pytest.raises(ConfigError) as caught:
        parse_settings({**BASE, "originSecretVersion": value}, "us-east-1")
    assert caught.value.key == "global-serverless:originSecretVersion"
    assert "any change is safe" in caught.value.allowed


def test_the_origin_secret_version_is_read_as_the_cli_stores_it():
    assert parse_settings({**BASE, "originSecretVersion": "3"}, "us-east-1").origin_secret_version == 3
    assert parse_settings(BASE, "us-east-1").origin_secret_version == 1
