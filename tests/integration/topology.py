"""The two-region deployment the integration tests build in ministack, and how to reach a region."""

from dataclasses import dataclass

from tests.integration.ministack import Ministack, Response

REGION_A = "us-east-1"  # home region: the table's primary, and ministack's default region
REGION_B = "eu-west-1"
TABLE_NAME = "global-serverless-it-items"
CHAOS_PARAMETER = "/global-serverless/it/chaos"


@dataclass(frozen=True)
class Region:
    code: str
    load_balancer: str

    def request(self, ms: Ministack, method: str, path: str, body=None, headers=None) -> Response:
        return ms.alb_request(self.load_balancer, self.code, method, path, body=body, headers=headers)
