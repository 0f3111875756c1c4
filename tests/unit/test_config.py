"""The config contract: every bad value stops with key, value, what is allowed and the fix."""

import json

import pytest
from pydantic import ValidationError

from components.config import ConfigError, parse_settings

BASE = {"regions": '["us-east-1", "eu-west-1"]'}
DOMAIN_JSON = '{"zone": "example.com", "name": "api"}'
DOMAIN = '{"zone": "example.com", "name": "api"}'


def settings(home="us-east-1", **raw):
    return parse_settings({**BASE, **raw}, home)


def error(home="us-east-1", **raw) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, home)
    return caught.value


def test_defaults_for_a_minimal_stack():
    s = settings()
    assert s.regions == ("us-east-1", "eu-west-1")
    assert s.replica_regions == ("eu-west-1",)
    assert s.backend == "apigateway" and s.strategies == ("cloudfront",) and not s.is_ab
    assert (s.health_check.path, s.health_check.interval_seconds, s.health_check.failure_threshold) == (
        "/health",
        30,
        3,
    )
    assert s.deletion_protection is False and s.traffic_dial("eu-west-1") == 100


def test_structured_values_arrive_as_json_text_or_decoded():
    text = settings(
        domain=DOMAIN,
        healthCheck='{"intervalSeconds": 10}',
        deletionProtection="true",
        backend="alb",
        frontDoor="globalaccelerator",
        trafficDials='{"eu-west-1": 0}',
    )
    decoded = parse_settings(
        {
            "regions": ["us-east-1", "eu-west-1"],
            "domain": json.loads(DOMAIN),
            "healthCheck": {"intervalSeconds": 10},
            "deletionProtection": True,
            "backend": "alb",
            "frontDoor": "globalaccelerator",
            "trafficDials": {"eu-west-1": 0},
        },
        "us-east-1",
    )
    assert text == decoded
    assert text.domain.fqdn == "api.example.com" and text.traffic_dial("eu-west-1") == 0


def test_ab_map_keeps_weights_in_order():
    s = settings(backend="alb", domain=DOMAIN, frontDoor='{"globalaccelerator": 70, "cloudfront": 30}')
    assert s.is_ab and s.strategies == ("globalaccelerator", "cloudfront")
    assert s.weights == {"globalaccelerator": 70, "cloudfront": 30}


def test_settings_are_frozen():
    s = settings()
    with pytest.raises(ValidationError):
        s.backend = "alb"


@pytest.mark.parametrize(
    "raw, home, key, fragments",
    [
        (
            {"regions": '["us-east-1", "mars-north-1"]'},
            "us-east-1",
            "global-serverless:regions",
            ['"mars-north-1" is not an AWS region code', "Allowed:", "Fix:"],
        ),
        (
            {"regions": '["us-east-1", "us-eats-1"]'},
            "us-east-1",
            "global-serverless:regions",
            ["did you mean us-east-1", 'such as "us-east-1"'],
        ),
        (
            {"regions": '["us-east-1", "eu-west-1", "us-east-1"]'},
            "us-east-1",
            "global-serverless:regions",
            ['"us-east-1" is listed twice', "each region code at most once"],
        ),
        ({"regions": "[]"}, "us-east-1", "global-serverless:regions", ["the list is empty"]),
        ({}, "us-east-1", "global-serverless:regions", ["no regions are configured", "(not set)"]),
        ({"regions": "us-east-1"}, "us-east-1", "global-serverless:regions", ["not valid JSON"]),
        (
            {"regions": '["us-east-1"]'},
            "eu-west-1",
            "aws:region",
            ['home region "eu-west-1" has no backend', "pulumi config set aws:region us-east-1"],
        ),
        ({"regions": '["us-east-1"]'}, None, "aws:region", ["home region", "is not set"]),
        (
            {"regions": '["us-east-1"]', "backend": "lambda"},
            "us-east-1",
            "global-serverless:backend",
            ["unknown backend", '"alb" or "apigateway"'],
        ),
        (
            {"regions": '["us-east-1"]', "frontDoor": "anycast"},
            "us-east-1",
            "global-serverless:frontDoor",
            ["unknown front door", "route53, globalaccelerator, cloudfront"],
        ),
        (
            {"regions": '["us-east-1"]', "frontDoor": "globalaccelerator"},
            "us-east-1",
            "global-serverless:frontDoor",
            [
                '"globalaccelerator" cannot front the "apigateway" backend',
                "pulumi config set global-serverless:backend alb",
            ],
        ),
        (
            {
                "regions": '["us-east-1"]',
                "backend": "apigateway",
                "domain": DOMAIN,
                "frontDoor": '{"globalaccelerator": 50, "cloudfront": 50}',
            },
            "us-east-1",
            "global-serverless:frontDoor",
            ['cannot front the "apigateway" backend'],
        ),
        (
            {"regions": '["us-east-1"]', "frontDoor": "route53"},
            "us-east-1",
            "global-serverless:domain",
            ['frontDoor "route53" needs a domain', "domain: {zone: example.com, name: api}"],
        ),
        (
            {"regions": '["us-east-1"]', "frontDoor": '{"route53": 1, "cloudfront": 1}'},
            "us-east-1",
            "global-serverless:domain",
            ["an A/B front door map needs a domain"],
        ),
        (
            {"regions": '["us-east-1"]', "domain": DOMAIN, "frontDoor": '{"route53": 0, "cloudfront": 100}'},
            "us-east-1",
            "global-serverless:frontDoor",
            ['weight 0 for "route53" is not a positive integer'],
        ),
        (
            {"regions": '["us-east-1"]', "domain": DOMAIN, "frontDoor": '{"route53": -5, "cloudfront": 5}'},
            "us-east-1",
            "global-serverless:frontDoor",
            ['weight -5 for "route53"'],
        ),
        (
            {"regions": '["us-east-1"]', "domain": DOMAIN, "frontDoor": '{"route53": 1.5, "cloudfront": 5}'},
            "us-east-1",
            "global-serverless:frontDoor",
            ['weight 1.5 for "route53"'],
        ),
        (
            {"regions": '["us-east-1"]', "domain": DOMAIN, "frontDoor": '{"route53": "half", "cloudfront": 5}'},
            "us-east-1",
            "global-serverless:frontDoor",
            ['weight "half" for "route53"'],
        ),
        (
            {"regions": '["us-east-1"]', "domain": DOMAIN, "frontDoor": '{"dns": 50}'},
            "us-east-1",
            "global-serverless:frontDoor",
            ['"dns" is not a front door'],
        ),
        (
            {"regions": '["us-east-1"]', "regoins": '["us-east-1"]'},
            "us-east-1",
            "global-serverless:regoins",
            ["unknown config key", "rename it to global-serverless:regions"],
        ),
        (
            {"regions": '["us-east-1"]', "tableName": "x"},
            "us-east-1",
            "global-serverless:tableName",
            ["unknown config key", "pulumi config rm global-serverless:tableName"],
        ),
        (
            {"regions": '["us-east-1"]', "domain": '{"zone": "example", "name": "api"}'},
            "us-east-1",
            "global-serverless:domain",
            ['zone "example" is not a DNS zone name'],
        ),
        (
            {"regions": '["us-east-1"]', "domain": '{"zone": "example.com", "name": "API!"}'},
            "us-east-1",
            "global-serverless:domain",
            ['name "API!" is not a DNS label'],
        ),
        (
            {"regions": '["us-east-1"]', "domain": '{"zone": "example.com", "name": "api", "ttl": 5}'},
            "us-east-1",
            "global-serverless:domain",
            ["unknown field(s) ttl"],
        ),
        (
            {"regions": '["us-east-1"]', "healthCheck": '{"intervalSeconds": 15}'},
            "us-east-1",
            "global-serverless:healthCheck",
            ["intervalSeconds 15 is not one Route 53 supports", "30 (standard) or 10 (fast, paid)"],
        ),
        (
            {"regions": '["us-east-1"]', "healthCheck": '{"failureThreshold": 11}'},
            "us-east-1",
            "global-serverless:healthCheck",
            ["failureThreshold 11 is out of range"],
        ),
        (
            {"regions": '["us-east-1"]', "healthCheck": '{"path": "health"}'},
            "us-east-1",
            "global-serverless:healthCheck",
            ['path "health" is not an absolute URL path'],
        ),
        (
            {"regions": '["us-east-1"]', "healthCheck": '{"timeout": 3}'},
            "us-east-1",
            "global-serverless:healthCheck",
            ["unknown field(s) timeout"],
        ),
        (
            {"regions": '["us-east-1"]', "deletionProtection": "yes"},
            "us-east-1",
            "global-serverless:deletionProtection",
            ["must be a boolean", "true or false"],
        ),
        (
            {"regions": '["us-east-1"]', "trafficDials": '{"eu-west-1": 0}'},
            "us-east-1",
            "global-serverless:trafficDials",
            ['"eu-west-1" is not one of the configured regions'],
        ),
        (
            {"regions": '["us-east-1"]', "trafficDials": '{"us-east-1": 150}'},
            "us-east-1",
            "global-serverless:trafficDials",
            ['dial 150 for "us-east-1" is not a whole percent'],
        ),
    ],
)
def test_each_bad_value_names_key_value_allowed_and_fix(raw, home, key, fragments):
    err = error(home, **raw)
    text = str(err)
    assert err.key == key
    assert text.startswith(f"Invalid stack config {key} = ")
    assert "\n  Allowed: " in text and "\n  Fix: " in text
    for fragment in fragments:
        assert fragment in text, text


def test_route53_takes_dials_of_0_or_100_and_warns_about_shares_in_a_split():
    s = settings(trafficDials='{"eu-west-1": 0}')  # the default door, cloudfront: any dial
    assert s.traffic_dial("eu-west-1") == 0 and s.warnings() == []
    caught = error(**BASE, trafficDials='{"eu-west-1": 50}', frontDoor="route53", domain=DOMAIN_JSON)
    assert caught.key == "global-serverless:trafficDials" and "route53 cannot send a share" in str(caught)
    assert "set trafficDials: {eu-west-1: 0}" in caught.fix
    split = settings(
        backend="alb",
        frontDoor='{"route53": 1, "globalaccelerator": 1}',
        domain=DOMAIN_JSON,
        trafficDials='{"eu-west-1": 50}',
    )
    (note,) = split.warnings()
    assert "eu-west-1 keeps its latency record" in note
    assert (
        settings(
            backend="alb", frontDoor="globalaccelerator", trafficDials='{"eu-west-1": 0}', allowPlaintext="true"
        ).warnings()
        == []
    )


def test_a_null_override_removes_a_key():
    from offline.stack_config import load_stack_config

    config = load_stack_config("dev", ["domain=null", "frontDoor=cloudfront"])
    assert "global-serverless:domain" not in config
    assert config["global-serverless:frontDoor"] == "cloudfront"


# -- Holes found in review: each a named error before any resource ------------------------------


@pytest.mark.parametrize(
    "path, fragment",
    [
        ("/items", "under the API's own /items routes"),
        ("/items/x", "under the API's own /items routes"),
        ("//health", "not normalised"),
        ("/../health", 'set healthCheck.path to "/health"'),
        ("/a/./b", 'set healthCheck.path to "/a/b"'),
        ("/health/", 'set healthCheck.path to "/health"'),
    ],
)
def test_health_paths_the_function_would_refuse_or_disagree_on(path, fragment):
    caught = error(**BASE, healthCheck=json.dumps({"path": path}))
    assert caught.key == "global-serverless:healthCheck" and fragment in str(caught)


def test_domain_names_past_acm_and_dns_limits():
    long_name = "a" * 50
    caught = error(**BASE, domain=json.dumps({"zone": "example-company.com", "name": long_name}))
    assert "ACM takes at most 64" in str(caught) and caught.key == "global-serverless:domain"
    assert settings(domain=json.dumps({"zone": "example.com", "name": "a" * 52})).domain.fqdn.endswith(".example.com")


def test_a_one_entry_map_is_that_door_alone():
    s = settings(frontDoor='{"cloudfront": 30}')
    assert (
        not s.is_ab and s.strategies == ("cloudfront",) and s.domain is None
    )  # no domain needed, as for a single door


def test_every_dial_at_zero_is_refused():
    caught = error(
        **BASE,
        backend="alb",
        frontDoor="globalaccelerator",
        trafficDials='{"us-east-1": 0, "eu-west-1": 0}',
        allowPlaintext="true",
    )
    assert "no region would take traffic" in str(caught) and caught.key == "global-serverless:trafficDials"
    assert (
        settings(
            backend="alb", frontDoor="globalaccelerator", trafficDials='{"us-east-1": 0}', allowPlaintext="true"
        ).traffic_dial("eu-west-1")
        == 100
    )


@pytest.mark.parametrize("value", ["yes", "1", "on", "True "])
def test_booleans_are_true_or_false_as_the_cli_stores_them(value):
    caught = error(**BASE, deletionProtection=value)
    assert "must be a boolean" in str(caught)


def test_cli_overrides_reach_the_program_as_strings():
    from offline.stack_config import load_stack_config

    config = load_stack_config("dev", ["deletionProtection=yes", 'regions=["us-east-1"]'])
    assert config["global-serverless:deletionProtection"] == "yes"  # refused by the program, as with the CLI
    assert config["global-serverless:regions"] == '["us-east-1"]'


def test_a_misspelt_aws_key_warns_with_the_likely_key():
    from components.config import aws_key_warnings

    (note,) = aws_key_warnings(
        {"aws:regoin": "us-east-1", "aws:region": "us-east-1", "aws:profile": "x", "global-serverless:regions": "[]"}
    )
    assert "aws:regoin" in note and "did you mean aws:region" in note
    assert aws_key_warnings({"aws:somethingElse": "1"}) == []


# -- tableConsistency: DynamoDB multi-Region strong consistency (MRSC) ---------------------------


def test_strong_with_three_regions_of_one_set_or_two_and_a_witness():
    three = parse_settings(
        {"regions": '["us-east-1", "us-east-2", "us-west-2"]', "tableConsistency": "strong"}, "us-east-1"
    )
    assert three.table_consistency == "strong" and three.witness_region is None
    two = parse_settings(
        {"regions": '["eu-west-1", "eu-central-1"]', "tableConsistency": "strong", "witnessRegion": "eu-west-3"},
        "eu-west-1",
    )
    assert two.witness_region == "eu-west-3"
    assert settings().table_consistency == "eventual"


@pytest.mark.parametrize(
    "raw, key, fragment",
    [
        (
            {"regions": '["us-east-1", "eu-west-1", "us-west-2"]', "tableConsistency": "strong"},
            "global-serverless:tableConsistency",
            "not all in one MRSC region set",
        ),
        (
            {"regions": '["us-east-1", "sa-east-1", "us-west-2"]', "tableConsistency": "strong"},
            "global-serverless:tableConsistency",
            "sa-east-1 is in none",
        ),
        (
            {"regions": '["us-east-1", "us-west-2"]', "tableConsistency": "strong"},
            "global-serverless:tableConsistency",
            "exactly 3 regions",
        ),
        (
            {
                "regions": '["us-east-1", "us-east-2", "us-west-2"]',
                "tableConsistency": "strong",
                "witnessRegion": "us-east-2",
            },
            "global-serverless:witnessRegion",
            "not one of them",
        ),
        (
            {"regions": '["us-east-1", "us-west-2"]', "tableConsistency": "strong", "witnessRegion": "eu-west-1"},
            "global-serverless:witnessRegion",
            "same MRSC set",
        ),
        (
            {"regions": '["us-east-1", "us-west-2"]', "witnessRegion": "us-east-2"},
            "global-serverless:witnessRegion",
            "only serves a strong (MRSC) table",
        ),
        (
            {"regions": '["us-east-1", "us-west-2"]', "tableConsistency": "linearizable"},
            "global-serverless:tableConsistency",
            "unknown table consistency",
        ),
    ],
)
def test_each_mrsc_rule_is_a_named_error(raw, key, fragment):
    caught = error(**raw)
    assert caught.key == key and fragment in str(caught) and "Fix:" in str(caught)


def test_waf_logs_is_a_bool_that_defaults_to_off():
    waf = json.dumps({"rateLimit": 2000})
    assert settings(backend="alb", frontDoor="cloudfront", domain=DOMAIN, waf=waf).waf.logs is False
    on = json.dumps({"rateLimit": 2000, "logs": True})
    assert settings(backend="alb", frontDoor="cloudfront", domain=DOMAIN, waf=on).waf.logs is True
    wrong = error(
        regions='["us-east-1"]',
        backend="alb",
        frontDoor="cloudfront",
        domain=DOMAIN,
        waf=json.dumps({"rateLimit": 2000, "logs": 7}),
    )
    assert wrong.key == "global-serverless:waf" and "logs" in str(wrong)
