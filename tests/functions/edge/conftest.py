"""Fixtures every edge router test shares: a fake clock and a prober scripted against it."""

import pytest

from tests.functions.edge.fakes import FakeClock, ScriptedProber


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def prober(clock):
    return ScriptedProber(clock)
