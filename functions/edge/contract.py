"""What the program bakes into the Lambda@Edge package and the router reads: one definition.

Stdlib only. Lambda@Edge has no environment variables, so the routing table travels as a JSON
file inside the zip, written by the program at deploy time.
"""

PACKAGE_NAME = "edge"
HANDLER = "edge.handler.handler"
ROUTING_TABLE_FILE = "routing_table.json"

# Request header the router adds to say which region it chose.
ROUTED_REGION_HEADER = "x-routed-to-region"
# Cookie a client may set to pin itself to one region (home-region affinity).
AFFINITY_COOKIE = "gs-region"

# CloudFront headers the distribution's origin request policy must forward to the router.
VIEWER_HEADERS = (
    "CloudFront-Viewer-Country",
    "CloudFront-Viewer-Latitude",
    "CloudFront-Viewer-Longitude",
)

# Routing table schema (the JSON file):
# {
#   "homeRegion": "us-east-1",
#   "healthPath": "/health",
#   "regions": {
#     "us-east-1": {"originHost": "...", "protocol": "https"|"http", "port": 443, "lat": 38.9, "lon": -77.0},
#     ...
#   },
#   "countries": {"DE": "eu-west-1", ...}   # optional fallback when no coordinates
# }
