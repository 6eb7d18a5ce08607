"""gymkit tool envs in verl's tool agent loop (verl 0.9.1, `actor_rollout_ref.rollout.multi_turn`).

    python -c "from gymkit.integrations.verl_tool import write_tool_config; write_tool_config('tool_calc', 'tools.yaml')"
    ... actor_rollout_ref.rollout.multi_turn.enable=True \\
        actor_rollout_ref.rollout.multi_turn.tool_config_path=tools.yaml \\
        reward.custom_reward_function.path=pkg://gymkit.integrations.verl

Each gymkit tool is one `GymkitTool` (verl's `BaseTool`). verl calls `create`, `execute`
and `release` once per tool call; the gymkit episode lives for the whole trajectory on verl's
`agent_data` (shared by the env's tools, ended when the trajectory is dropped), and its
tools answer exactly as in gymkit. The tool also points `agent_data.extra_fields
["gymkit_messages"]` at the trajectory's message list, which verl hands to the reward
function as `extra_info` (`tool_extra_fields`), so `compute_score` replays the whole
transcript, final answer included, through gymkit. A trajectory that never calls a tool
is scored from the decoded response, as a single-turn one is.

Not covered: verl's `max_assistant_turns` and gymkit's `max_turns` are separate limits
(the replay marks an episode past gymkit's limit `truncated`); envs that reply as a
simulated user (wordle, maze, ...) need verl's Interaction API, which gymkit does not wrap.
"""
from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from verl.tools.base_tool import BaseTool
from verl.tools.schemas import OpenAIFunctionToolSchema, ToolResponse

from gymkit.errors import GymkitError
from gymkit.integrations.replay import TASK_COLUMN, replies_as_user, task_of
from gymkit.integrations.verl import MESSAGES_KEY, env_for
from gymkit.tools import make_call

CLASS_NAME = f"{__name__}.GymkitTool"


class GymkitTool(BaseTool):
    """One tool of a gymkit env. Config: `{type: native, env: NAME, tool: NAME, options: {}}`."""

    def __init__(self, config: dict, tool_schema: OpenAIFunctionToolSchema | None):
        self.env = env_for(config["env"], config.get("options"))
        specs = self.env._tool_specs
        if config.get("tool") not in specs:
            raise GymkitError(f"env {config['env']!r} has no tool {config.get('tool')!r}; "
                              f"its tools: {', '.join(sorted(specs))}")
        schema = tool_schema or OpenAIFunctionToolSchema.model_validate(specs[config["tool"]].schema)
        super().__init__(config, schema)
        self._tasks: dict[str, Any] = {}

    async def create(self, instance_id: str | None = None, create_kwargs: dict | None = None,
                     **kwargs: Any) -> tuple[str, ToolResponse]:
        instance_id, response = await super().create(instance_id)
        self._tasks[instance_id] = (create_kwargs or {}).get(TASK_COLUMN)
        return instance_id, response

    async def execute(self, instance_id: str, parameters: dict[str, Any], agent_data: Any = None,
                      **kwargs: Any) -> tuple[ToolResponse, float, dict]:
        if agent_data is None:
            raise GymkitError("GymkitTool needs verl's agent_data "
                              "(verl 0.9's tool agent loop passes it)")
        episode, lock = self._episode(agent_data, self._tasks.get(instance_id))
        async with lock:  # verl runs one turn's calls concurrently; gymkit runs them in order
            obs = await asyncio.to_thread(self.env.run_calls, episode,
                                          [make_call(self.name, parameters)], [])
        agent_data.extra_fields[MESSAGES_KEY] = agent_data.messages  # the live list, final turn included
        return ToolResponse(text=obs[-1]["content"]), 0.0, {}

    async def release(self, instance_id: str, **kwargs: Any) -> None:
        self._tasks.pop(instance_id, None)

    def _episode(self, agent_data: Any, raw_task: Any):
        """The trajectory's live episode of this env, started on the first call."""
        episodes = agent_data.__dict__.setdefault("_gymkit_episodes", {})
        if self.env.name not in episodes:
            if raw_task is None:
                raise GymkitError(f"tool {self.name!r} got no {TASK_COLUMN!r} in its create_kwargs; "
                                  "build rows with gymkit.integrations.verl.dataset")
            episode = self.env.reset(task_of(raw_task))
            weakref.finalize(agent_data, self.env.end_episode, episode)  # free sandboxes with it
            episodes[self.env.name] = (episode, asyncio.Lock())
        return episodes[self.env.name]


def tool_config(env: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """verl's tool config (the YAML `tool_config_path` names) for every tool of `env`."""
    instance = env_for(env, options)
    if not instance._tool_specs or replies_as_user(instance):
        raise GymkitError(f"env {env!r} replies as a simulated user; verl's tool agent loop "
                          "answers only tool calls (a user needs verl's Interaction API)")
    tools = []
    for name, spec in sorted(instance._tool_specs.items()):
        schema = spec.schema
        untyped = [p for p, s in schema["function"]["parameters"].get("properties", {}).items()
                   if "type" not in s]
        if untyped:  # verl's OpenAIFunctionPropertySchema requires a type per parameter
            raise GymkitError(f"tool {name!r} of env {env!r}: parameter(s) {', '.join(untyped)} "
                              "have no JSON 'type', which verl's tool schema requires")
        tools.append({"class_name": CLASS_NAME,
                      "config": {"type": "native", "env": env, "tool": name, "options": options or {}},
                      "tool_schema": schema})
    return {"tools": tools}


def write_tool_config(env: str, path: str | Path, options: dict[str, Any] | None = None) -> Path:
    """Write `tool_config(env)` as YAML to `path`."""
    import yaml

    path = Path(path)
    path.write_text(yaml.safe_dump(tool_config(env, options), sort_keys=False))
    return path
