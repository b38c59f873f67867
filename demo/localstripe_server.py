"""Run localstripe (a Stripe-compatible fake) on loopback, for the demo and the test suite.

localstripe's own CLI binds every interface and always pickles its state to ``/tmp/localstripe.pickle``,
so two runs on one machine share (and clobber) each other's data. This module serves localstripe's own
aiohttp routes instead, bound to 127.0.0.1, with the pickle redirected to a file of our choice, or with the
data kept in memory only when no file is given.

    python -m demo.localstripe_server --port 8420 [--host 127.0.0.1] [--data-file .run/localstripe.pickle]

In tests (e.g. a session fixture)::

    base_url, stop = start_in_thread()      # a free port, empty data kept in memory
    stripe.api_base = base_url
    ...
    stop()

localstripe keeps its objects and registered webhooks in module globals: run one server per process at a
time. It delivers webhooks about one second after the event.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import pickle
import threading
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from localstripe import resources, webhooks
from localstripe.server import app as _localstripe_app

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
logger = logging.getLogger("demo.localstripe")


def _use_data_file(data_file: Path | None) -> None:
    """Point localstripe's store at ``data_file`` and load it if it exists; ``None`` keeps data in memory."""

    def dump_to_disk(self: resources.Store) -> None:
        if data_file is None:
            return
        tmp = data_file.with_name(data_file.name + ".tmp")
        with tmp.open("wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(data_file)  # atomic: a crash never leaves half a file

    def try_load_from_disk(self: resources.Store) -> None:
        if data_file is None or not data_file.exists():
            return
        with data_file.open("rb") as f:
            saved = pickle.load(f)  # noqa: S301 - our own file, written by dump_to_disk above
        self.clear()
        self.update(saved)

    resources.Store.dump_to_disk = dump_to_disk  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = try_load_from_disk  # type: ignore[method-assign]
    if data_file is None:
        dict.clear(resources.store)  # start empty (bypasses the dump-on-change hooks)
    else:
        data_file.parent.mkdir(parents=True, exist_ok=True)
        resources.store.try_load_from_disk()


def make_app() -> web.Application:
    """A fresh application with localstripe's middlewares and routes (an aiohttp app is tied to one loop)."""
    app = web.Application(middlewares=list(_localstripe_app.middlewares))
    for callback in _localstripe_app.on_response_prepare:
        app.on_response_prepare.append(callback)
    for route in _localstripe_app.router.routes():  # in order: localstripe's extra routes come first
        app.router.add_route(route.method, route.resource.canonical, route.handler)
    return app


def start_in_thread(port: int = 0, data_file: Path | str | None = None) -> tuple[str, Callable[[], None]]:
    """Start localstripe on 127.0.0.1 in a daemon thread; return its base URL and a function that stops it.

    ``port=0`` picks a free port. Without ``data_file`` the data (and registered webhooks) start empty.
    """
    _use_data_file(Path(data_file) if data_file is not None else None)
    if data_file is None:
        webhooks._webhooks.clear()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app(), access_log=None)
    bound: list[int] = []
    errors: list[BaseException] = []
    ready = threading.Event()

    async def serve() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        server = site._server  # the asyncio.Server: tells the port picked for port=0
        bound.append(server.sockets[0].getsockname()[1] if server is not None else port)

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(serve())
        except BaseException as exc:  # handed to the caller
            errors.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        for task in asyncio.all_tasks(loop):  # webhooks still waiting to be sent
            task.cancel()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="localstripe", daemon=True)
    thread.start()
    if not ready.wait(timeout=10):
        raise RuntimeError("localstripe did not start within 10 s")
    if errors:
        raise RuntimeError(f"localstripe could not listen on 127.0.0.1:{port}") from errors[0]

    def stop() -> None:
        if thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)

    return f"http://127.0.0.1:{bound[0]}", stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run localstripe on loopback with its data file redirected.")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1", choices=LOOPBACK_HOSTS, help="loopback only")
    parser.add_argument("--data-file", type=Path, help="pickle kept across restarts (default: memory only)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _use_data_file(args.data_file)
    logger.info("localstripe on http://%s:%d (data: %s)", args.host, args.port, args.data_file or "memory")
    web.run_app(make_app(), host=args.host, port=args.port, print=None, access_log=logging.getLogger("aiohttp.access"))


if __name__ == "__main__":
    main()
