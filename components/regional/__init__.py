"""One region's backend: the API function, its settings and the entry (ALB or HTTP API) in front of it."""
