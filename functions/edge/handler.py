"""Lambda@Edge origin-request entry point (`edge.handler.handler`)."""

from .router import Router

_router = None


def handler(event, context):
    global _router
    if _router is None:
        # Once per container, on the first request: importing stays free of file I/O.
        _router = Router.from_file()
    return _router.handle(event)
