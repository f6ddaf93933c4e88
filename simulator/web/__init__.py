"""The local web app of ``matchsim serve``: a profile form, runs with progress, results, lessons.

It needs the optional extra ``matchsim[web]`` (Flask); nothing else in
matchsim imports it.  Runs go through :mod:`simulator.api` into ``results/``
as on the command line.  The server listens on 127.0.0.1 unless told
otherwise, and serves one person: runs queue and go one at a time.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from simulator.errors import RunError

__all__ = ["make_server", "serve_app"]


def _flask_app(home, workers):
    try:
        from simulator.web.app import create_app
    except ModuleNotFoundError as error:
        raise RunError(
            "matchsim serve",
            message=f"needs the optional web extra ({error.name} is not installed): "
            "pip install 'matchsim[web]'",
        ) from None
    return create_app(home, workers=workers)


def make_server(host: str = "127.0.0.1", port: int = 0, *, home=None, workers=None):
    """A threaded HTTP server of the app, listening but not yet serving (``serve_forever``);
    port 0 picks a free one (``server.server_port``)."""
    app = _flask_app(home, workers)
    from werkzeug.serving import make_server as werkzeug_server

    try:
        return werkzeug_server(host, port, app, threaded=True)
    except (OSError, SystemExit) as error:  # werkzeug exits when the port is taken
        reason = getattr(error, "strerror", None) or "the address is in use or not this machine's"
        raise RunError(f"{host}:{port}", message=f"cannot listen there ({reason})") from None


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve_app(*, host: str = "127.0.0.1", port: int = 8765, echo=print, workers=None) -> None:
    """Serve the app until Ctrl-C, saying where."""
    server = make_server(host, port, workers=workers)
    shown = f"[{host}]" if ":" in host else host
    echo(f"matchsim is at http://{shown}:{server.server_port}/ (stop it with Ctrl-C)")
    echo(f"runs are written to {Path.cwd() / 'results'}")
    if not _is_loopback(host):
        echo(f"warning: listening on {host}: other machines that reach it can run studies here")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        server.server_close()
