import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.edge.viewer import Viewer, viewer_from_headers
from tests.functions.edge.fakes import FRANKFURT, header, viewer_headers


def test_reads_coordinates_country_and_affinity_cookie():
    headers = viewer_headers(coordinates=FRANKFURT, country="DE", cookie="theme=dark; gs-region=eu-west-1; x=1")

    assert viewer_from_headers(headers) == Viewer(affinity="eu-west-1", lat=50.1109, lon=8.68213, country="DE")


def test_no_headers_means_nothing_known():
    assert viewer_from_headers({}) == Viewer()


@pytest.mark.parametrize(
    "cookie, expected",
    [
        ("gs-region=eu-west-1", "eu-west-1"),
        ('gs-region="EU-WEST-1"', "eu-west-1"),
        ("a=1;gs-region= us-east-1 ;b=2", "us-east-1"),
        ("gs-region=", None),
        ("gs-regionx=eu-west-1", None),
        ("xgs-region=eu-west-1", None),
        ("gs-region", None),
        ("=;;;==", None),
    ],
)
def test_affinity_cookie(cookie, expected):
    assert viewer_from_headers(viewer_headers(cookie=cookie)).affinity == expected


def test_affinity_cookie_found_in_any_cookie_header():
    headers = {"cookie": [{"key": "Cookie", "value": "a=1"}, {"key": "Cookie", "value": "gs-region=ap-southeast-2"}]}

    assert viewer_from_headers(headers).affinity == "ap-southeast-2"


@pytest.mark.parametrize(
    "lat, lon",
    [
        ("north", "8.6"),
        ("50.1", ""),
        ("nan", "8.6"),
        ("50.1", "inf"),
        ("91", "8.6"),
        ("50.1", "-180.5"),
        ("1" * 40, "8.6"),
    ],
)
def test_unusable_coordinates_read_as_unknown(lat, lon):
    viewer = viewer_from_headers(viewer_headers(coordinates=(lat, lon)))

    assert (viewer.lat, viewer.lon) == (None, None)


def test_one_coordinate_alone_is_not_a_position():
    viewer = viewer_from_headers(header("CloudFront-Viewer-Latitude", "50.1"))

    assert (viewer.lat, viewer.lon) == (None, None)


@pytest.mark.parametrize(
    "value, expected", [("DE", "DE"), (" nz ", "NZ"), ("DEU", None), ("D1", None), ("", None), ("ÄÖ", None)]
)
def test_country(value, expected):
    assert viewer_from_headers(viewer_headers(country=value)).country == expected


@pytest.mark.parametrize(
    "headers",
    [
        None,
        [],
        "cloudfront-viewer-country: DE",
        {"cloudfront-viewer-latitude": "50.1"},
        {"cloudfront-viewer-latitude": [None, 5, "50.1", {"key": "x"}], "cookie": [{"value": None}]},
        {"cloudfront-viewer-country": [{"key": "CloudFront-Viewer-Country", "value": ["DE"]}]},
        {"cookie": {"key": "Cookie", "value": "gs-region=eu-west-1"}},
    ],
)
def test_malformed_headers_read_as_unknown(headers):
    assert viewer_from_headers(headers) == Viewer()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
_header_names = st.sampled_from(
    ["cookie", "cloudfront-viewer-latitude", "cloudfront-viewer-longitude", "cloudfront-viewer-country", "host"]
)
_entry = st.fixed_dictionaries({"key": _json, "value": st.text(max_size=40) | _json})


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_header_names, st.lists(_entry | _json, max_size=3) | _json, max_size=5))
def test_any_header_shape_parses_without_error(headers):
    viewer = viewer_from_headers(headers)

    assert (viewer.lat is None) == (viewer.lon is None)
