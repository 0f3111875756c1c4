"""The real stdlib prober against a local origin on 127.0.0.1."""

from functions.edge.health import HealthMonitor
from functions.edge.probe import probe_health
from tests.functions.edge.localhttp import GUARDED_PATH, ORIGIN_SECRET, closed_port, local_origin, silent_origin


def test_200_is_healthy():
    with local_origin() as port:
        assert probe_health(f"http://127.0.0.1:{port}/health", 2.0) is True


def test_a_guarded_origin_is_healthy_only_to_a_probe_with_the_origin_secret():
    with local_origin() as port:
        url = f"http://127.0.0.1:{port}{GUARDED_PATH}"
        assert probe_health(url, 2.0) is False
        assert probe_health(url, 2.0, {"x-origin-verify": ORIGIN_SECRET}) is True


def test_a_200_counts_only_when_served_by_the_probed_region():
    """Through the distribution, a mis-route or CloudFront's own error page must not pass for health."""
    with local_origin("eu-west-1") as port, local_origin() as anonymous:
        url = f"http://127.0.0.1:{port}/health"
        assert probe_health(url, 2.0, expect_region="eu-west-1") is True
        assert probe_health(url, 2.0, expect_region="us-east-1") is False  # another region answered
        assert probe_health(f"http://127.0.0.1:{anonymous}/health", 2.0, expect_region="eu-west-1") is False
        assert probe_health(f"http://127.0.0.1:{port}/sick", 2.0, expect_region="eu-west-1") is False


def test_any_other_status_is_unhealthy():
    with local_origin() as port:
        assert probe_health(f"http://127.0.0.1:{port}/sick", 2.0) is False
        assert probe_health(f"http://127.0.0.1:{port}/missing", 2.0) is False


def test_redirect_is_not_followed_and_is_unhealthy():
    with local_origin() as port:
        assert probe_health(f"http://127.0.0.1:{port}/moved", 2.0) is False


def test_refused_connection_is_unhealthy():
    assert probe_health(f"http://127.0.0.1:{closed_port()}/health", 2.0) is False


def test_silence_is_no_answer():
    with silent_origin() as port:
        assert probe_health(f"http://127.0.0.1:{port}/health", 0.2) is None


def test_tls_failure_is_unhealthy():
    # An https probe against a plain http listener fails the handshake.
    with local_origin() as port:
        assert probe_health(f"https://127.0.0.1:{port}/health", 2.0) is False


def test_monitor_with_real_threads_and_prober():
    with local_origin("us-east-1") as up, silent_origin() as silent:
        health = HealthMonitor(
            {
                "eu-west-1": f"http://127.0.0.1:{closed_port()}/health",
                "eu-central-1": f"http://127.0.0.1:{silent}/health",
                "us-east-1": f"http://127.0.0.1:{up}/health",
            },
            probe_timeout=0.5,
        )
        try:
            unhealthy = health.unhealthy_among(["eu-west-1", "eu-central-1", "us-east-1"])
        finally:
            health.end_invocation()

    assert unhealthy == {"eu-west-1", "eu-central-1"}
