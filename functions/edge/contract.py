"""What the program bakes into the Lambda@Edge package and the router reads: one definition.

Stdlib only. Lambda@Edge has no environment variables, so the routing table travels as a JSON
file inside the zip, written by the program at deploy time (components/edge_routing.py builds it,
functions/edge/table.py parses and validates it: both follow the schema below).
"""

PACKAGE_NAME = "edge"
HANDLER = "edge.handler.handler"
ROUTING_TABLE_FILE = "routing_table.json"

# Request header the router adds to say which region it chose.
ROUTED_REGION_HEADER = "x-routed-to-region"
# Request header saying why: the basis of the choice ("affinity", "nearest", "country", "home"),
# plus ";failover" when a preferred region was skipped as unhealthy, or ";fail-open" when every
# region looked unhealthy and the first preference was used anyway.
ROUTED_REASON_HEADER = "x-routed-reason"
# Cookie a client may set to pin itself to one region (home-region affinity).
AFFINITY_COOKIE = "gs-region"

# CloudFront headers the distribution's origin request policy must forward to the router.
VIEWER_HEADERS = ("CloudFront-Viewer-Country", "CloudFront-Viewer-Latitude", "CloudFront-Viewer-Longitude")

# Origin protocols a region may have and the port each implies when none is given.
DEFAULT_PORTS = {"https": 443, "http": 80}
DEFAULT_HEALTH_PATH = "/health"

# Routing table schema (the JSON file):
# {
#   "homeRegion": "us-east-1",            # must be one of "regions"
#   "healthPath": "/health",              # probed as <protocol>://<originHost>[:<port>]<healthPath>
#   "regions": {                          # object order = configured order (breaks distance ties)
#     "us-east-1": {"originHost": "...", "protocol": "https"|"http", "port": 443, "lat": 38.9, "lon": -77.0},
#     ...
#   },
#   "countries": {"DE": "eu-west-1", ...} # optional: ISO 3166-1 alpha-2 -> configured region,
#                                         # used when the viewer has no coordinates
# }
# "dials" (optional): region -> traffic dial 0-100 (absent: 100), as Global Accelerator's endpoint groups.
TABLE_KEYS = ("homeRegion", "healthPath", "regions", "countries", "dials")
REGION_KEYS = ("originHost", "protocol", "port", "lat", "lon")
