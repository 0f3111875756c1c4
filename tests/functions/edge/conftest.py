"""Fixtures every edge router test shares: a fake clock and a prober scripted against it."""

import pytest

from tests.functions.edge.fakes import ScriptedProber
from tests.support.clock import FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def prober(clock):
    return ScriptedProber(clock)
