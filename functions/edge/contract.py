"""What the program bakes into the Lambda@Edge package and the router reads: one definition.

Stdlib only. Lambda@Edge has no environment variables, so the routing table travels as a JSON
file inside the zip, written by the program at deploy time (components/doors/edge_routing.py builds it,
functions/edge/table.py parses and validates it: both follow the schema below).
"""

PACKAGE_NAME = "edge"
HANDLER = "edge.handler.handler"
ROUTING_TABLE_FILE = "routing_table.json"

# Request header the router adds to say which region it chose.
ROUTED_REGION_HEADER = "x-routed-to-region"
# Request header saying why: the basis of the choice ("affinity", "nearest", "country", "home"),
# plus ";failover" when a preferred region was skipped as unhealthy, or ";fail-open" when every
# region looked unhealthy and the first preference was used anyway; or "probe" (below).
ROUTED_REASON_HEADER = "x-routed-reason"
# Health probes go through the distribution itself (the regional entries admit only CloudFront): the
# router asks https://<distributionDomainName><healthPath> with this header naming one region, and the
# router that handles that request sends it straight to that region's origin, no health walk (reason
# PROBE_REASON), so a probe measures exactly one region and never starts probes of its own.
PROBE_REGION_HEADER = "x-gs-probe-region"
PROBE_REASON = "probe"
# With the probe token in the table, a probe carries it in this header, and only a request carrying it may
# force a region: viewers cannot pick a region, and the distribution's web ACL lets the router's probes
# past its per-address rate rule (they leave from Lambda@Edge's shared addresses, many containers each).
PROBE_TOKEN_HEADER = "x-gs-probe-token"
# Response header the API sets on every answer (functions/api/contract.py SERVED_BY_HEADER): a probe
# is healthy only on a 200 that names the probed region here.
SERVED_BY_HEADER = "x-served-by-region"
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
# "healthCheck" (optional): the stack's healthCheck timing, the router's detection budget:
#   {"intervalSeconds": 10|30, "failureThreshold": 1-10}. A dead region stops getting new requests within
#   intervalSeconds x failureThreshold (plus one probe timeout for the request that finds out) and gets them
#   again about one interval after it recovers. Absent: a 10 s refresh and a 20 s budget (the router's
#   defaults before the table carried it).
# "probeToken" (optional): letters and digits; probes send it in PROBE_TOKEN_HEADER (see above).
TABLE_KEYS = ("homeRegion", "healthPath", "regions", "countries", "dials", "healthCheck", "probeToken")
HEALTH_CHECK_KEYS = ("intervalSeconds", "failureThreshold")
HEALTH_INTERVALS = (10, 30)  # what Route 53 health checks allow: the one healthCheck config serves every door
FAILURE_THRESHOLD_RANGE = (1, 10)
REGION_KEYS = ("originHost", "protocol", "port", "lat", "lon")
