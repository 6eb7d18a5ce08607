"""Load on `gymkit serve-env`: N concurrent gold episodes from one aiohttp client.

The server runs as its own process (`gymkit serve-env`), as in use; every episode opens with
`/step {task, message}` and plays its gold to the end. Prints wall time and the statuses.

    .venv/bin/python benchmarks/bench_serve_env.py --env tool_calc --episodes 1000
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from gymkit.registry import make_env


async def _wait_up(url: str, proc: subprocess.Popen) -> None:
    async with aiohttp.ClientSession() as c:
        while proc.poll() is None:
            try:
                async with c.get(f"{url}/health") as r:
                    await r.json()
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)  # the server is still importing
    raise SystemExit("the server exited before it answered /health")


async def _episode(c: aiohttp.ClientSession, url: str, task) -> str:
    sid = None
    for action in task.gold:
        body = {"session_id": sid, "message": action} if sid else \
            {"task": task.model_dump(mode="json"), "message": action}
        async with c.post(f"{url}/step", json=body) as r:
            step = await r.json()
        sid = step["session_id"]
        if step["done"]:
            return step["status"]
    return "unfinished"


async def _run(url: str, tasks) -> list:
    conn = aiohttp.TCPConnector(limit=len(tasks))
    async with aiohttp.ClientSession(connector=conn,
                                     timeout=aiohttp.ClientTimeout(total=600)) as c:
        return await asyncio.gather(*[_episode(c, url, t) for t in tasks],
                                    return_exceptions=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", default="tool_calc")
    ap.add_argument("--episodes", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gymkit = Path(sys.executable).with_name("gymkit")
    proc = subprocess.Popen([str(gymkit), "serve-env", "--env", args.env, "--port", str(port),
                             "--concurrency", str(args.concurrency)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_up(url, proc))
        tasks = make_env(args.env).generate(args.episodes, seed=1)
        t0 = time.monotonic()
        statuses = asyncio.run(_run(url, tasks))
        took = time.monotonic() - t0
    finally:
        proc.terminate()
        proc.wait()
    requests = sum(len(t.gold) for t in tasks)
    print(f"{args.env}: {args.episodes} episodes, {requests} requests in {took:.1f}s "
          f"({requests / took:.0f} req/s): {dict(collections.Counter(map(str, statuses)))}")


if __name__ == "__main__":
    main()
