"""`gymkit serve-env`: gymkit envs over HTTP, for NeMo Gym agents, NeMo RL and `HTTPPool`.

See docs/interop.md for the routes and bodies; `app` holds them, `sessions` the engine.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from gymkit.env import BaseEnv
from gymkit.serve_env.nemo_gym import task_to_row
from gymkit.serve_env.sessions import EnvService

__all__ = ["EnvService", "bind", "serve", "start_in_thread", "task_to_row"]


def _server(service: EnvService, log_level: str = "warning"):
    import uvicorn  # the serve extra: imported here so `gymkit` runs without it

    from gymkit.serve_env.app import make_app

    # backlog: a burst of thousands of connections must queue, not be refused
    # no access log: a line per request costs more than a cheap verification
    config = uvicorn.Config(make_app(service), log_level=log_level, backlog=8192,
                            timeout_keep_alive=30, lifespan="on", access_log=False)
    return uvicorn.Server(config)


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0: a free one)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def serve(envs: list[str] | dict[str, type[BaseEnv]], host: str = "127.0.0.1", port: int = 8000,
          sock: socket.socket | None = None, **service_kw) -> None:
    """Serve `envs` on `sock` (else host:port) until interrupted (`gymkit serve-env`)."""
    server = _server(EnvService(envs, **service_kw), log_level="info")
    server.run(sockets=[sock or bind(host, port)])


@dataclass
class RunningServer:
    """A server started by `start_in_thread`; `stop()` shuts it down."""

    url: str
    service: EnvService
    _server: object
    _thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)


def start_in_thread(envs: list[str] | dict[str, type[BaseEnv]], host: str = "127.0.0.1",
                    port: int = 0, **service_kw) -> RunningServer:
    """Start a server in a background thread (port 0: a free one); returns once it listens."""
    service = EnvService(envs, **service_kw)
    server = _server(service)
    sock = bind(host, port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="gymkit-serve-env")
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.02)  # uvicorn exposes no start event; its flag flips once it listens
    if not server.started:
        raise RuntimeError("the env server thread exited before it started listening")
    bound = sock.getsockname()
    return RunningServer(f"http://{host}:{bound[1]}", service, server, thread)
