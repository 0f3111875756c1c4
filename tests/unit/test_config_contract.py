"""Issue 22 item 3: config that was accepted but wrong, and errors worded in pydantic's words or wrongly.

Every key's bad values with the exact key each error names; every message provoked here is scanned
for pydantic's own text or a Python type name."""

import json

import pytest

from components.config import ConfigError, parse_settings
from components.stack import regions as region_catalogue

REGIONS = '["us-east-1", "eu-west-1"]'
BASE = {"regions": REGIONS}
DOMAIN = '{"zone": "example.com", "name": "api"}'
AUTH = {"issuer": "https://issuer.example", "audience": "api"}
NS = "global-serverless"


def settings(home="us-east-1", stack_config=None, **raw):
    return parse_settings({**BASE, **raw}, home, stack_config=stack_config)


def error(raw, home="us-east-1", stack_config=None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, home, stack_config=stack_config)
    return caught.value


def auth(**fields) -> str:
    return json.dumps({**AUTH, **fields})


# (raw config without the namespace, home region, the exact error key) for every key's bad values.
BAD = [
    # regions
    ({}, "us-east-1", f"{NS}:regions"),
    ({"regions": "[]"}, "us-east-1", f"{NS}:regions"),
    ({"regions": "us-east-1"}, "us-east-1", f"{NS}:regions"),
    ({"regions": "[1, 2]"}, "us-east-1", f"{NS}:regions"),
    ({"regions": '{"us-east-1": 1}'}, "us-east-1", f"{NS}:regions"),
    ({"regions": '["us-east-1", "mars-north-1"]'}, "us-east-1", f"{NS}:regions"),
    ({"regions": '["us-east-1", "us-east-1"]'}, "us-east-1", f"{NS}:regions"),
    ({"regions": '["us-east-1", "cn-north-1"]'}, "us-east-1", f"{NS}:regions"),
    ({"regions": '["us-east-1", "us-gov-west-1"]'}, "us-east-1", f"{NS}:regions"),
    # aws:region
    (BASE, None, "aws:region"),
    (BASE, "ap-south-1", "aws:region"),
    (BASE, "cn-north-1", "aws:region"),
    # backend
    ({**BASE, "backend": "lambda"}, "us-east-1", f"{NS}:backend"),
    ({**BASE, "backend": 5}, "us-east-1", f"{NS}:backend"),
    # frontDoor
    ({**BASE, "frontDoor": "anycast"}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "frontDoor": 5}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "frontDoor": "{}"}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "frontDoor": {}}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "frontDoor": "{oops"}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "domain": DOMAIN, "frontDoor": '{"dns": 50}'}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "domain": DOMAIN, "frontDoor": '{"route53": 0, "cloudfront": 1}'}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "domain": DOMAIN, "frontDoor": '{"route53": "1", "cloudfront": 1}'}, "us-east-1", f"{NS}:frontDoor"),
    ({**BASE, "frontDoor": "globalaccelerator"}, "us-east-1", f"{NS}:frontDoor"),
    # domain
    ({**BASE, "frontDoor": "route53"}, "us-east-1", f"{NS}:domain"),
    ({**BASE, "domain": "{}"}, "us-east-1", f"{NS}:domain"),
    ({**BASE, "domain": "[]"}, "us-east-1", f"{NS}:domain"),
    ({**BASE, "domain": '{"zone": "example.com"}'}, "us-east-1", f"{NS}:domain"),
    ({**BASE, "domain": '{"zone": "example", "name": "api"}'}, "us-east-1", f"{NS}:domain"),
    ({**BASE, "domain": '{"zone": "example.com", "name": 5}'}, "us-east-1", f"{NS}:domain"),
    ({**BASE, "domain": '{"zone": "example.com", "name": "api", "ttl": 5}'}, "us-east-1", f"{NS}:domain"),
    # healthCheck
    ({**BASE, "healthCheck": "{}"}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"path": 5}'}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"path": "/items"}'}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"intervalSeconds": 15}'}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"intervalSeconds": "x"}'}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"failureThreshold": 0}'}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"failureThreshold": "3"}'}, "us-east-1", f"{NS}:healthCheck"),
    ({**BASE, "healthCheck": '{"timeout": 3}'}, "us-east-1", f"{NS}:healthCheck"),
    # deletionProtection, allowPlaintext
    ({**BASE, "deletionProtection": "yes"}, "us-east-1", f"{NS}:deletionProtection"),
    ({**BASE, "deletionProtection": 5}, "us-east-1", f"{NS}:deletionProtection"),
    ({**BASE, "allowPlaintext": "x"}, "us-east-1", f"{NS}:allowPlaintext"),
    ({**BASE, "backend": "alb", "frontDoor": "globalaccelerator"}, "us-east-1", f"{NS}:backend"),
    # trafficDials
    ({**BASE, "trafficDials": "{}"}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": "[1]"}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"eu-west-1": 150}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"eu-west-1": -1}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"eu-west-1": "x"}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"ap-south-1": 0}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"cloudfront": 0}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"cn-north-1": 0}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials": '{"us-east-1": 0, "eu-west-1": 0}'}, "us-east-1", f"{NS}:trafficDials"),
    ({**BASE, "trafficDials.eu-west-1": "0"}, "us-east-1", f"{NS}:trafficDials.eu-west-1"),
    # tableConsistency, witnessRegion
    ({**BASE, "tableConsistency": "linearizable"}, "us-east-1", f"{NS}:tableConsistency"),
    ({**BASE, "tableConsistency": 5}, "us-east-1", f"{NS}:tableConsistency"),
    ({**BASE, "tableConsistency": "strong"}, "us-east-1", f"{NS}:tableConsistency"),
    ({**BASE, "witnessRegion": "eu-west-2"}, "us-east-1", f"{NS}:witnessRegion"),
    ({**BASE, "witnessRegion": 5}, "us-east-1", f"{NS}:witnessRegion"),
    ({**BASE, "witnessRegion": "us-gov-east-1", "tableConsistency": "strong"}, "us-east-1", f"{NS}:witnessRegion"),
    # originSecretVersion, accessLogDays
    ({**BASE, "originSecretVersion": "-1"}, "us-east-1", f"{NS}:originSecretVersion"),
    ({**BASE, "originSecretVersion": "0"}, "us-east-1", f"{NS}:originSecretVersion"),
    ({**BASE, "originSecretVersion": "x"}, "us-east-1", f"{NS}:originSecretVersion"),
    ({**BASE, "originSecretVersion": "99999999"}, "us-east-1", f"{NS}:originSecretVersion"),
    ({**BASE, "accessLogDays": "-1"}, "us-east-1", f"{NS}:accessLogDays"),
    ({**BASE, "accessLogDays": "1.5"}, "us-east-1", f"{NS}:accessLogDays"),
    ({**BASE, "accessLogDays": "0"}, "us-east-1", f"{NS}:accessLogDays"),
    ({**BASE, "accessLogDays": True}, "us-east-1", f"{NS}:accessLogDays"),
    # waf
    ({**BASE, "waf": "{}"}, "us-east-1", f"{NS}:waf"),
    ({**BASE, "waf": '{"rateLimit": -1}'}, "us-east-1", f"{NS}:waf"),
    ({**BASE, "waf": '{"rateLimit": "x"}'}, "us-east-1", f"{NS}:waf"),
    ({**BASE, "waf": '{"rateLimit": 2000, "x": 1}'}, "us-east-1", f"{NS}:waf"),
    (
        {**BASE, "waf": '{"rateLimit": 2000}', "backend": "apigateway", "domain": DOMAIN, "frontDoor": "route53"},
        "us-east-1",
        f"{NS}:waf",
    ),  # fmt: skip
    # auth
    ({**BASE, "auth": "{}"}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": '{"audience": "api"}'}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": '{"issuer": "https://issuer.example"}'}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(issuer="http://issuer.example")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(issuer=5)}, "us-east-1", f"{NS}:auth"),
    (
        {**BASE, "auth": auth(issuer="https://issuer.example/.well-known/openid-configuration")},
        "us-east-1",
        f"{NS}:auth",
    ),  # fmt: skip
    ({**BASE, "auth": auth(issuer=" https://issuer.example")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(issuer="https://issuer.example ")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(issuer="https://user:pw@issuer.example")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(issuer="https://issuer.example?x=1")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(issuer="https://issuer.example#x")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(audience="")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(audience="   ")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(audience=5)}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(scopes=[""])}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(scopes=[" "])}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(scopes="write")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(scopes=[5])}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(protectReads="maybe")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(jwksUrl="http://issuer.example/keys")}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(jwksUrl=5)}, "us-east-1", f"{NS}:auth"),
    ({**BASE, "auth": auth(extra=1)}, "us-east-1", f"{NS}:auth"),
    # alarms
    ({**BASE, "alarms": "{}"}, "us-east-1", f"{NS}:alarms"),
    ({**BASE, "alarms": '{"email": "nope"}'}, "us-east-1", f"{NS}:alarms"),
    ({**BASE, "alarms": '{"email": 5}'}, "us-east-1", f"{NS}:alarms"),
    ({**BASE, "alarms": '{"topicArn": "arn:aws-cn:sns:{region}:123456789012:ops"}'}, "us-east-1", f"{NS}:alarms"),
    (
        {**BASE, "alarms": '{"topicArn": "arn:aws-us-gov:sns:{region}:123456789012:ops"}'},
        "us-east-1",
        f"{NS}:alarms",
    ),  # fmt: skip
    ({**BASE, "alarms": '{"topicArn": "arn:aws:sns:mars-1:123456789012:ops"}'}, "us-east-1", f"{NS}:alarms"),
    ({**BASE, "alarms": '{"topicArn": "arn:aws:sns:{region}:1234:ops"}'}, "us-east-1", f"{NS}:alarms"),
    ({**BASE, "alarms": '{"topicArn": "arn:aws:sns:us-east-1:123456789012:ops"}'}, "us-east-1", f"{NS}:alarms"),
    (
        {**BASE, "alarms": '{"email": "a@b.co", "topicArn": "arn:aws:sns:{region}:123456789012:ops"}'},
        "us-east-1",
        f"{NS}:alarms",
    ),  # fmt: skip
    # probes
    ({**BASE, "probes": "{}"}, "us-east-1", f"{NS}:probes"),
    ({**BASE, "probes": '{"vantageRegions": "sa-east-1"}'}, "us-east-1", f"{NS}:probes"),
    ({**BASE, "probes": '{"vantageRegions": ["mars-1"]}'}, "us-east-1", f"{NS}:probes"),
    ({**BASE, "probes": '{"vantageRegions": ["cn-north-1"]}'}, "us-east-1", f"{NS}:probes"),
    ({**BASE, "probes": '{"vantageRegions": ["eu-west-1"]}'}, "us-east-1", f"{NS}:probes"),
    ({**BASE, "probes": '{"vantageRegions": [5]}'}, "us-east-1", f"{NS}:probes"),
    # unknown keys in our namespace (the field names behind the keys are not keys)
    ({**BASE, "regoins": REGIONS}, "us-east-1", f"{NS}:regoins"),
    ({**BASE, "health_check": "{}"}, "us-east-1", f"{NS}:health_check"),
    ({**BASE, "frontDoorName": "route53"}, "us-east-1", f"{NS}:frontDoorName"),
]


def _ids():
    return [f"{i}-{k.split(':')[-1]}" for i, (_, _, k) in enumerate(BAD)]


@pytest.mark.parametrize("raw, home, key", BAD, ids=_ids())
def test_every_key_bad_value_names_the_exact_key(raw, home, key):
    caught = error(raw, home)
    assert caught.key == key, str(caught)
    text = str(caught)
    assert text.startswith(f"Invalid stack config {key} = ") and "\n  Allowed: " in text and "\n  Fix: " in text


RAW_WORDING = (
    "should be a valid",
    "Input should",
    "should have",
    "should match",
    "greater than",
    "less than",
    "Field required",
    "Extra inputs",
    "type=",
    "pydantic",
    "int_parsing",
    "int_type",
    "<class",
    "NoneType",
    "dict[",
    "tuple[",
    "Literal[",
)


@pytest.mark.parametrize("raw, home, key", BAD, ids=_ids())
def test_no_message_shows_pydantic_wording_or_a_type_name(raw, home, key):
    text = str(error(raw, home))
    for words in RAW_WORDING:
        assert words not in text, text


# -- accepted but wrong -------------------------------------------------------------------------


def test_an_issuer_discovery_url_says_which_issuer_to_set():
    caught = error({**BASE, "auth": auth(issuer="https://login.example/tenant/.well-known/openid-configuration")})
    assert "discovery" in caught.problem and "https://login.example/tenant" in caught.fix
    assert ".well-known" not in caught.fix.split("set auth.issuer to ")[1].split()[0]


def test_an_issuer_with_whitespace_says_the_trimmed_value():
    caught = error({**BASE, "auth": auth(issuer="  https://issuer.example/x ")})
    assert "whitespace" in caught.problem and '"https://issuer.example/x"' in caught.fix


def test_an_issuer_with_credentials_is_refused_without_echoing_them_in_the_fix():
    caught = error({**BASE, "auth": auth(issuer="https://user:s3cret@issuer.example/x")})
    assert "credentials" in caught.problem and "environment" in caught.problem
    assert "s3cret" not in caught.fix and "https://issuer.example/x" in caught.fix


@pytest.mark.parametrize("audience", ["", " ", "\t"])
def test_a_blank_audience_is_refused(audience):
    caught = error({**BASE, "auth": auth(audience=audience)})
    assert "audience" in caught.problem and "blank" in caught.problem


def test_a_blank_scope_is_refused():
    caught = error({**BASE, "auth": auth(scopes=["items/write", ""])})
    assert "scope" in caught.problem and "blank" in caught.problem


def test_good_auth_still_parses():
    s = settings(auth=auth(issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab", scopes=["items/write"]))
    assert s.auth.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab"
    assert settings(auth=auth(issuer="https://tenant.auth0.example/")).auth.issuer == "https://tenant.auth0.example/"


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_a_topic_in_another_partition_is_refused(partition):
    caught = error({**BASE, "alarms": json.dumps({"topicArn": f"arn:{partition}:sns:{{region}}:123456789012:ops"})})
    assert partition in caught.problem and "not supported by this stack" in caught.problem


def test_a_topic_arn_with_an_unknown_region_is_refused():
    caught = error({**BASE, "alarms": '{"topicArn": "arn:aws:sns:us-east-9:123456789012:ops"}'})
    assert "us-east-9" in caught.problem


def test_a_region_template_topic_still_parses():
    arn = "arn:aws:sns:{region}:123456789012:ops"
    assert settings(alarms=json.dumps({"topicArn": arn})).alarms.topic_arn == arn


@pytest.mark.parametrize(
    "key", ["frontDoor", "healthCheck", "trafficDials", "probes", "waf", "auth", "alarms", "domain"]
)
def test_an_empty_map_is_refused(key):
    caught = error({**BASE, key: "{}"})
    assert caught.key == f"{NS}:{key}" and "empty map" in caught.problem
    assert f"pulumi config rm {NS}:{key}" in caught.fix


def test_an_empty_front_door_map_does_not_become_cloudfront():
    caught = error({**BASE, "frontDoor": {}})
    assert "cloudfront" in caught.problem


@pytest.mark.parametrize(
    "namespace", ["global-serveless", "globl-serverless", "global_serverless", "Global-Serverless"]
)
def test_a_misspelt_namespace_is_an_error(namespace):
    stack = {"aws:region": "us-east-1", f"{NS}:regions": REGIONS, f"{namespace}:backend": "alb"}
    caught = error(BASE, stack_config=stack)
    assert caught.key == f"{namespace}:backend"
    assert "ignored" in caught.problem and f"{NS}:backend" in caught.fix


def test_other_namespaces_are_left_alone():
    stack = {"aws:region": "us-east-1", f"{NS}:regions": REGIONS, "other-project:backend": "x", "aws:profile": "p"}
    assert settings(stack_config=stack).regions == ("us-east-1", "eu-west-1")


def test_a_key_in_a_misspelt_namespace_comes_before_the_errors_it_causes():
    # backend alb was meant; without it globalaccelerator cannot front apigateway
    stack = {f"{NS}:frontDoor": "globalaccelerator", "global-serveless:backend": "alb"}
    caught = error({**BASE, "frontDoor": "globalaccelerator"}, stack_config=stack)
    assert caught.key == "global-serveless:backend"


# -- opt-in regions -----------------------------------------------------------------------------


def test_the_opt_in_table_is_dated_sourced_and_within_the_catalogue():
    table = region_catalogue.opt_in_table()
    assert table["date"] == "2026-12-07" and "manage-acct-regions" in table["source"]
    assert set(table["regions"]) <= set(region_catalogue.catalogue())
    assert {"me-south-1", "il-central-1", "af-south-1", "ap-east-1"} <= set(table["regions"])
    assert not {"us-east-1", "eu-west-1", "eu-north-1", "ap-northeast-3", "eu-west-3"} & set(table["regions"])


def test_opt_in_regions_are_warned_about_by_name_with_how_to_opt_in():
    s = parse_settings(
        {"regions": '["eu-west-1", "me-south-1"]', "probes": '{"vantageRegions": ["il-central-1"]}'}, "eu-west-1"
    )
    notes = s.opt_in_warnings
    assert len(notes) == 2
    assert "me-south-1" in notes[0] and "aws account enable-region --region-name me-south-1" in notes[0]
    assert "il-central-1" in notes[1] and "probes.vantageRegions" in notes[1]
    assert all(note in s.warnings() for note in notes)
    assert settings().opt_in_warnings == ()


# -- wrongly worded errors ----------------------------------------------------------------------


def test_a_door_as_a_dial_key_says_dials_are_regions():
    caught = error({**BASE, "trafficDials": '{"cloudfront": 0}'})
    assert "is a front door, not a region" in caught.problem
    assert f"add it to {NS}:regions" not in caught.fix and "remove it from frontDoor" in caught.fix


def test_a_path_style_key_says_how_to_set_the_nested_value():
    caught = error({**BASE, "trafficDials.eu-west-1": "0"})
    assert "rename" not in caught.fix
    assert "--path" in caught.fix and '{"eu-west-1": 0}' in caught.fix


@pytest.mark.parametrize("code", ["cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1"])
def test_partitioned_regions_are_not_did_you_mean(code):
    caught = error({"regions": json.dumps(["us-east-1", code])})
    assert "did you mean" not in str(caught)
    assert "China and GovCloud regions need their own partition/account: not supported by this stack" in str(caught)


@pytest.mark.parametrize("key", ["accessLogDays", "originSecretVersion"])
def test_a_negative_integer_is_out_of_range_in_our_words(key):
    caught = error({**BASE, key: "-1"})
    assert "-1 is out of range" in caught.problem, str(caught)


GARBAGE = [5, -1, 1.5, True, "x", "-1", "", " ", [], ["x"], {"zz": 1}, "[1]", '{"zz": 1}', "null"]
NESTED = {
    "domain": ("zone", "name"),
    "healthCheck": ("path", "intervalSeconds", "failureThreshold"),
    "waf": ("rateLimit",),
    "auth": ("issuer", "audience", "protectReads", "scopes", "jwksUrl"),
    "alarms": ("email", "topicArn"),
    "probes": ("vantageRegions",),
    "trafficDials": ("eu-west-1",),
    "frontDoor": ("cloudfront", "route53"),
}
GOOD = {"domain": json.loads(DOMAIN), "auth": AUTH, "waf": {"rateLimit": 2000}, "alarms": {"email": "a@b.co"}}


def _provoked():
    from components.config import config_keys

    for key in config_keys():
        for value in GARBAGE:
            yield {**BASE, "domain": DOMAIN, key: value}
        for field in NESTED.get(key, ()):
            for value in GARBAGE:
                yield {**BASE, "domain": DOMAIN, key: json.dumps({**GOOD.get(key, {}), field: value})}


def test_no_provoked_message_shows_pydantic_wording_or_a_type_name():
    seen = 0
    for raw in _provoked():
        try:
            parse_settings(raw, "us-east-1")
        except ConfigError as caught:
            seen += 1
            text = str(caught)
            assert not [w for w in RAW_WORDING if w in text], text
            assert text.startswith("Invalid stack config ") and "\n  Fix: " in text
    assert seen > 300
