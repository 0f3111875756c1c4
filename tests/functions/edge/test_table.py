"""The packaged routing table is validated once, loudly: a bad table is a deploy bug."""

import copy
import json

import pytest

from functions.edge.table import RoutingTable
from tests.functions.edge.fakes import TABLE


def mutated(change) -> dict:
    raw = copy.deepcopy(TABLE)
    change(raw)
    return raw


def test_reads_the_packaged_file(tmp_path):
    path = tmp_path / "routing_table.json"
    path.write_text(json.dumps(TABLE))

    table = RoutingTable.from_file(path)

    assert table.codes == ("us-east-1", "eu-west-1", "ap-southeast-2")
    assert table.home_region == "us-east-1"
    assert table.countries["DE"] == "eu-west-1"


def test_country_map_is_optional():
    assert RoutingTable.from_dict(mutated(lambda raw: raw.pop("countries"))).countries == {}


def test_health_urls_name_the_port_only_when_it_is_not_the_default():
    raw = mutated(lambda raw: raw["regions"]["eu-west-1"].update(port=8080))

    urls = RoutingTable.from_dict(raw).health_urls()

    assert urls["eu-west-1"] == "http://gs-dev-eu-west-1-1234567890.eu-west-1.elb.amazonaws.com:8080/health"
    assert urls["us-east-1"] == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/health"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw.update(extra=1), "unknown keys ['extra']"),
        (lambda raw: raw.update(regions={}), "non-empty object"),
        (lambda raw: raw.update(homeRegion="eu-central-1"), "'homeRegion' 'eu-central-1'"),
        (lambda raw: raw.update(healthPath="health"), "'healthPath'"),
        (lambda raw: raw["regions"]["eu-west-1"].pop("port"), "missing keys ['port']"),
        (lambda raw: raw["regions"]["eu-west-1"].update(protocol="tcp"), "'protocol'"),
        (lambda raw: raw["regions"]["eu-west-1"].update(port="80"), "'port'"),
        (lambda raw: raw["regions"]["eu-west-1"].update(port=True), "'port'"),
        (lambda raw: raw["regions"]["eu-west-1"].update(originHost="eu.example.com/api"), "bare hostname"),
        (lambda raw: raw["regions"]["eu-west-1"].update(lat=95.0), "'lat'/'lon'"),
        (lambda raw: raw["regions"]["eu-west-1"].update(lon=float("nan")), "'lat'/'lon'"),
        (lambda raw: raw["countries"].update(de="eu-west-1"), "not an ISO 3166-1 alpha-2"),
        (lambda raw: raw["countries"].update(FR="eu-central-1"), "maps country FR to 'eu-central-1'"),
    ],
)
def test_bad_tables_are_rejected_naming_the_key(change, message):
    with pytest.raises(ValueError) as error:
        RoutingTable.from_dict(mutated(change))

    assert message in str(error.value)


def test_not_an_object_is_rejected():
    with pytest.raises(ValueError, match="JSON object"):
        RoutingTable.from_dict(["us-east-1"])
