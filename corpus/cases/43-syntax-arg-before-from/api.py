import os

from aiohttp import web


async def version(_request):
    return web.json_response({"version": os.environ["APP_VERSION"]})


def init(_argv):
    app = web.Application()
    app.router.add_get("/version", version)
    return app
