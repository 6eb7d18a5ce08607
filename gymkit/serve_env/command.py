"""`gymkit serve-env`: the command line of the HTTP env server (mounted by gymkit.cli)."""
from __future__ import annotations

import typer
from rich.console import Console

from gymkit.errors import GymkitError
from gymkit.registry import get_env_class, parse_env_list

err = Console(stderr=True, soft_wrap=True)


def serve_env_cmd(
    env: str = typer.Option(..., help="Comma-separated env names, e.g. math,code,retail_agent."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=0, max=65535),
    concurrency: int = typer.Option(32, min=1, help="Env calls running at once."),
    step_timeout: float = typer.Option(60.0, min=0.1, help="Per-request deadline, seconds, "
                                       "waiting for a slot included."),
    idle_timeout: float = typer.Option(600.0, min=1.0, help="Idle sessions expire after this."),
    env_option: list[str] = typer.Option([], "--env-option",
                                         help="ENV.KEY=VALUE env option, e.g. math.fewshot=2."),
) -> None:
    """Serve envs over HTTP: NeMo Gym's resources-server routes and gymkit's /step (docs/interop.md)."""
    from gymkit.evaluate import parse_env_options

    names = parse_env_list(env)
    for name in names:
        get_env_class(name)  # an unknown env: one line with the valid names, before binding
    try:
        from gymkit.serve_env import bind, serve
    except ImportError as e:
        raise GymkitError(f"serve-env needs the serve extra: pip install 'gymkit[serve]' "
                          f"({e})") from None
    options = parse_env_options(env_option, names)
    try:
        sock = bind(host, port)
    except OSError as e:  # port taken, no such interface: one line, not a traceback
        raise GymkitError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    err.print(f"serving {', '.join(names)} on http://{host}:{sock.getsockname()[1]}",
              highlight=False)
    serve(names, sock=sock, env_config=options, concurrency=concurrency,
          step_timeout_s=step_timeout, idle_timeout_s=idle_timeout)
