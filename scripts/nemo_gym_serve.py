"""Serve one NeMo Gym server, from the published `nemo-gym` package, on 127.0.0.1.

Runs in the NeMo Gym venv (`make setup-nemogym`, Python 3.12): gymkit's tests and docs use it
to put gymkit next to NeMo Gym's own code rather than a re-implementation of it.

    .venv-nemogym/bin/python scripts/nemo_gym_serve.py resources \\
        resources_servers.example_session_state_mgmt.app:StatefulCounterResourcesServer
    .venv-nemogym/bin/python scripts/nemo_gym_serve.py agent \\
        --resources http://127.0.0.1:8000 --model http://127.0.0.1:8001

`resources MODULE:CLASS` serves a resources server class (`--set key=value` sets its config
fields, values read as JSON where they parse). `agent` serves NeMo Gym's `simple_agent`
(`responses_api_agents.simple_agent.app:SimpleAgent`) wired to a resources server and a
Responses-API model server given by URL, as NeMo Gym's head server would wire them by name;
with `--config FILE` the agent is the one that NeMo Gym config file declares (its fields and
the names of the servers it calls), and the URLs stand in for those servers' host and port.
Once the server listens, one line goes to stdout: `listening http://127.0.0.1:PORT`.
`--port` picks the port (default: a free one).
"""
from __future__ import annotations

import argparse
import json
import socket
import sys
from importlib import import_module
from urllib.parse import urlsplit

HOST = "127.0.0.1"


def free_socket(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    return sock


def server_entry(name: str, kind: str, url: str) -> dict:
    """One entry of NeMo Gym's global config: how ServerClient finds server `name` by name."""
    parts = urlsplit(url)
    return {name: {kind: {name: {"host": parts.hostname, "port": parts.port}}}}


def build(args: argparse.Namespace, port: int):
    from nemo_gym.config_types import BaseServerConfig
    from nemo_gym.server_utils import (GlobalAIOHTTPAsyncClientConfig, ServerClient,
                                       is_global_aiohttp_client_setup, set_global_aiohttp_client)
    from omegaconf import OmegaConf

    async def client_on_startup() -> None:
        # the client NeMo Gym's servers call each other with; made here, inside the server's
        # loop (aiohttp needs one), with the defaults, so nothing reads NeMo Gym's CLI config
        if not is_global_aiohttp_client_setup():
            set_global_aiohttp_client(GlobalAIOHTTPAsyncClientConfig())

    me = f"http://{HOST}:{port}"
    if args.command == "resources":
        module_name, _, class_name = args.target.partition(":")
        cls = getattr(import_module(module_name), class_name)
        fields = {}
        for item in args.set:
            key, _, raw = item.partition("=")
            try:
                fields[key] = json.loads(raw)
            except json.JSONDecodeError:
                fields[key] = raw
        parts = module_name.split(".")  # resources_servers.<name>.app -> <name>
        name = args.name or (parts[-2] if len(parts) > 1 else parts[0])
        config = cls.model_fields["config"].annotation(name=name, host=HOST, port=port,
                                                       entrypoint="app.py", **fields)
        graph = server_entry(name, "resources_servers", me)
    elif args.config:  # an agent declared in a NeMo Gym config file, as NeMo Gym reads it
        from nemo_gym.global_config import get_first_server_config_dict
        from responses_api_agents.simple_agent.app import SimpleAgent, SimpleAgentConfig

        cls = SimpleAgent
        graph = OmegaConf.to_container(OmegaConf.load(args.config))
        name = args.name or next(k for k, v in graph.items() if "responses_api_agents" in v)
        block = OmegaConf.to_container(get_first_server_config_dict(OmegaConf.create(graph), name))
        config = SimpleAgentConfig.model_validate({**block, "name": name, "host": HOST, "port": port})
        # the servers it names, at the URLs given (a config's host/port are the deployment's)
        graph.update(server_entry(config.resources_server.name, "resources_servers", args.resources))
        graph.update(server_entry(config.model_server.name, "responses_api_models", args.model))
        graph.update(server_entry(name, "responses_api_agents", me))
    else:
        from nemo_gym.config_types import ModelServerRef, ResourcesServerRef
        from responses_api_agents.simple_agent.app import SimpleAgent, SimpleAgentConfig

        cls = SimpleAgent
        name = args.name or "simple_agent"
        steps = {} if args.max_steps is None else {"max_steps": args.max_steps}
        config = SimpleAgentConfig(
            name=name, host=HOST, port=port, entrypoint="app.py", **steps,
            resources_server=ResourcesServerRef(type="resources_servers", name="resources"),
            model_server=ModelServerRef(type="responses_api_models", name="policy_model"))
        graph = {**server_entry("resources", "resources_servers", args.resources),
                 **server_entry("policy_model", "responses_api_models", args.model),
                 **server_entry(name, "responses_api_agents", me)}
    client = ServerClient(head_server_config=BaseServerConfig(host=HOST, port=11000),
                          global_config_dict=OmegaConf.create(graph))
    server = cls(config=config, server_client=client)
    app = server.setup_webserver()
    server.setup_liveness(app)
    server.setup_exception_middleware(app)
    app.router.on_startup.insert(0, client_on_startup)
    return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    res = sub.add_parser("resources", help="serve a resources server class")
    res.add_argument("target", help="MODULE:CLASS, e.g. resources_servers.mcqa.app:MCQAResourcesServer")
    res.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    agent = sub.add_parser("agent", help="serve NeMo Gym's simple_agent")
    agent.add_argument("--resources", required=True, help="the resources server's URL")
    agent.add_argument("--model", required=True, help="the Responses-API model server's URL")
    agent.add_argument("--max-steps", type=int, default=None)
    agent.add_argument("--config", default=None,
                       help="a NeMo Gym config file declaring the agent (e.g. configs/nemo_gym/"
                       "gymkit.yaml); --name picks the agent when it declares several")
    for p in (res, agent):
        p.add_argument("--name", default=None)
        p.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    import uvicorn

    sock = free_socket(args.port)
    port = sock.getsockname()[1]
    app = build(args, port)
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning",
                                           timeout_keep_alive=30))

    async def announce() -> None:  # after startup: the socket accepts by now
        print(f"listening http://{HOST}:{port}", flush=True)

    app.router.on_startup.append(announce)
    server.run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
