"""Names the functions share with each other: each ships alone, so a few names are copied, and kept equal here."""

from __future__ import annotations

from components import registry
from components.regional.entries import base as entries
from functions.api import contract as api
from functions.edge import contract as edge
from functions.probe import contract as probe


def test_the_edge_routers_default_health_path_is_the_apis():
    assert edge.DEFAULT_HEALTH_PATH == api.DEFAULT_HEALTH_PATH


def test_every_function_reads_the_served_by_header_the_api_writes():
    assert edge.SERVED_BY_HEADER == probe.SERVED_BY_HEADER == api.SERVED_BY_HEADER


def test_the_program_names_the_probes_namespace_and_the_item_routes_from_the_contracts():
    assert registry.PROBE_NAMESPACE == probe.NAMESPACE
    assert entries.ITEMS_PATH == api.ITEMS_PATH
    assert not api.DEFAULT_HEALTH_PATH.startswith(f"{api.ITEMS_PATH}/")


def test_the_dimension_sets_name_only_declared_dimensions():
    declared = {api.DIMENSION_REGION, api.DIMENSION_SERVICE, api.DIMENSION_FRONT_DOOR}
    assert {name for names in api.DIMENSION_SETS for name in names} == declared
