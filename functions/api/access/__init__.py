"""Who may call: JWT validation (keys, tokens), the origin guard behind CloudFront."""
