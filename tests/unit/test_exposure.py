"""Who may reach a regional entry, and which stacks would send traffic unencrypted: pure planning."""

import pytest

from components.config import ConfigError, parse_settings
from components.origin_protection import accepted_versions, alb_scheme, plaintext_hop, plan_origin_guard

BASE = {"regions": '["us-east-1", "eu-west-1"]'}
DOMAIN = '{"zone": "example.com", "name": "api"}'


@pytest.mark.parametrize(
    ("strategies", "backend", "guarded", "named"),
    [
        (("cloudfront",), "alb", True, "403"),
        (("route53",), "alb", False, "route53"),
        (("globalaccelerator",), "alb", False, "internal load balancers"),  # guarded by having no public address
        # An A/B map is the union of its doors: clients of the public door reach the entries themselves.
        (("cloudfront", "route53"), "alb", False, "route53"),
        (("globalaccelerator", "cloudfront"), "alb", False, "reach them in different ways"),
        (("cloudfront",), "apigateway", True, "403"),  # the function checks the header
    ],
)
def test_entries_refuse_strangers_only_when_every_door_proves_itself(strategies, backend, guarded, named):
    guard = plan_origin_guard(strategies, backend)
    assert guard.secret_header is guarded
    assert named in guard.summary


def test_rotation_accepts_the_current_and_the_previous_secret():
    assert accepted_versions(1) == (1,)
    assert accepted_versions(2) == (2, 1)
    assert accepted_versions(7) == (7, 6)


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


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "1000001"])
def test_a_bad_origin_secret_version_names_the_key_and_how_to_rotate(value):
    with pytest.raises(ConfigError) as caught:
        parse_settings({**BASE, "originSecretVersion": value}, "us-east-1")
    assert caught.value.key == "global-serverless:originSecretVersion"
    assert "raise it by one to rotate" in caught.value.allowed


def test_the_origin_secret_version_is_read_as_the_cli_stores_it():
    assert parse_settings({**BASE, "originSecretVersion": "3"}, "us-east-1").origin_secret_version == 3
    assert parse_settings(BASE, "us-east-1").origin_secret_version == 1


@pytest.mark.parametrize(
    ("strategies", "deployed", "scheme"),
    [
        (("globalaccelerator",), {}, "internal"),  # a new stack behind GA alone
        (("globalaccelerator",), {"alb-scheme": "internal"}, "internal"),
        # A deployed stack keeps internet-facing ALBs: changing the scheme would replace them.
        (("globalaccelerator",), {"alb-scheme": "internet-facing"}, "internet-facing"),
        (("globalaccelerator",), {"project": "global-serverless"}, "internet-facing"),  # deployed before the tag
        (("route53",), {"alb-scheme": "internal"}, "internet-facing"),  # a public door needs public ALBs
        (("globalaccelerator", "cloudfront"), {}, "internet-facing"),
    ],
)
def test_an_albs_scheme_is_chosen_when_it_is_created(strategies, deployed, scheme):
    assert alb_scheme(plan_origin_guard(strategies, "alb"), deployed) == scheme
