"""CrossGuard policy pack for global-serverless.

Policies live in importable modules (one per concern) and are listed in `policies.catalog`;
only `policies/__main__.py` builds the PolicyPack, because constructing one starts a gRPC server
and never returns. `python -m offline.check` runs the same policies offline under Pulumi mocks.
"""
