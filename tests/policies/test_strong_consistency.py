"""table-strong-consistency: DynamoDB's MRSC rules, on a compliant strong fixture and one mutation each."""

import pytest

from policies.common import show
from tests.policies.fixtures import compliant

US = ("us-east-1", "us-east-2", "us-west-2")
POLICY = "table-strong-consistency"


def strong(regions=US, witness=None):
    fixture = compliant("globalaccelerator", "alb", regions=regions)
    for index in range(len(regions) - 1):
        fixture.set("items", f"replicas[{index}].consistencyMode", "STRONG")
    if witness:
        fixture.set("items", "globalTableWitness.regionName", witness)
    return fixture


def messages(fixture):
    return [v.message for v in fixture.violations(POLICY)]


def test_three_strong_regions_of_one_set_pass():
    assert messages(strong()) == []
    assert messages(strong(regions=("us-east-1", "us-west-2"), witness="us-east-2")) == []
    assert messages(compliant("globalaccelerator", "alb")) == []  # an eventual table is not its business


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda f: f.set("items", "replicas[1].consistencyMode", "EVENTUAL"), "cannot mix modes"),
        (lambda f: f.set("items", "globalTableWitness.regionName", "us-east-2"), "needs exactly 3 regions"),
        (lambda f: f.set("items", "replicas[1].regionName", "eu-west-1"), "not all in one region set"),
        (lambda f: f.set("items", "ttl", {"attributeName": "expiresAt", "enabled": True}), "TTL is enabled"),
    ],
)
def test_each_rule_fires_naming_the_table_value_and_fix(mutate, fragment):
    fixture = strong()
    mutate(fixture)
    (text,) = messages(fixture)
    assert fragment in text and "aws:dynamodb/table:Table 'items' in us-east-1" in text and "Fix:" in text


def test_a_witness_without_strong_replicas_is_flagged():
    fixture = compliant("globalaccelerator", "alb", regions=("us-east-1", "us-west-2"))
    fixture.set("items", "globalTableWitness.regionName", "us-east-2")
    (text,) = messages(fixture)
    assert "witness region (us-east-2)" in text and show(None) not in text
