"""A NeMo Gym resources server written the way a NeMo Gym user writes one (on nemo-gym's own
`SimpleResourcesServer`), whose tool and verifier misbehave on demand: for the `nemo_gym`
env's tests. It runs in the NeMo Gym venv (scripts/nemo_gym_serve.py), never under pytest.

- `POST /slow_tool {"seconds": S}` answers after S seconds;
- `/verify` scores the final text: "ok" is 1, "crash" raises (HTTP 500), "hang" never
  answers, "nan" returns a NaN reward (JSON cannot carry it: the server fails to encode it),
  anything else is 0.
"""
import asyncio

from pydantic import BaseModel

from nemo_gym.base_resources_server import (BaseResourcesServerConfig, BaseVerifyRequest,
                                            BaseVerifyResponse, SimpleResourcesServer)


class HostileConfig(BaseResourcesServerConfig):
    pass


class SlowRequest(BaseModel):
    seconds: float


class HostileServer(SimpleResourcesServer):
    config: HostileConfig

    def setup_webserver(self):
        app = super().setup_webserver()
        app.post("/slow_tool")(self.slow_tool)
        return app

    async def slow_tool(self, body: SlowRequest) -> dict:
        await asyncio.sleep(body.seconds)
        return {"slept": body.seconds}

    async def verify(self, body: BaseVerifyRequest) -> BaseVerifyResponse:
        text = body.response.output_text.strip()
        if text == "crash":
            raise RuntimeError("the verifier crashed")
        if text == "hang":
            await asyncio.sleep(3600)
        reward = {"ok": 1.0, "nan": float("nan")}.get(text, 0.0)
        return BaseVerifyResponse(**body.model_dump(), reward=reward)
