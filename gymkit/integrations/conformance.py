"""Conformance: fixed transcripts through gymkit's native path and through every adapter
whose framework is installed, with reward, status and the env's observations compared.

Each adapter is driven the way its framework drives it: the row the adapter's `dataset`
builds, the tools called as the framework calls them, and the reward read from what the
framework receives (TRL's reward list and its `log_extra` column, verl's result dict loaded
through verl's own `get_custom_reward_fn`, verifiers' `Task.score` on a `Trace`).
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.integrations.replay import (TASK_COLUMN, observations, refuse_task_tools, replay,
                                        reward_or_none, same_reward)
from gymkit.tools import call_arguments
from gymkit.types import Message, Task

# verl truncates tool responses to `multi_turn.max_tool_response_length` (default 256 chars);
# the docs tell users to raise it, and conformance runs with that advice taken.
VERL_TOOL_RESPONSE_CHARS = 100_000
GARBAGE = "\x00\ufffd }{ ]]>< %%% \u202e" + "zz" * 40
WRONG = "I am not sure, so I give no answer."


@dataclass
class Case:
    name: str
    task: Task
    actions: list[Message]


@dataclass
class Outcome:
    """What one path made of a case: reward (None: no reward), status, env observations."""

    reward: float | None
    status: str
    observations: list[str] | None = None  # None where the framework carries none


class NotSupported(Exception):
    """The adapter does not serve this env (a documented limit, not a failure)."""


@dataclass
class Check:
    case: str
    native: Outcome
    results: dict[str, Outcome | str] = field(default_factory=dict)  # str: why not compared
    diffs: dict[str, str] = field(default_factory=dict)


def _say(text: str, calls: list[dict] | None = None) -> Message:
    m: Message = {"role": "assistant", "content": text}
    if calls:
        m["tool_calls"] = calls
    return m


def cases(env: BaseEnv, seed: int = 0) -> list[Case]:
    """The transcripts replayed for `env`: gold, wrong, garbage, an unterminated reasoning
    block, a task whose verifier data is missing (an env error), and for tool envs a call with
    bad arguments and a transcript that stops after its tool calls."""
    task = env.generate(1, seed=seed)[0]
    gold = env.gold_actions(task)
    calls = [a for a in gold if a.get("tool_calls")]
    out = [Case("gold", task, gold),
           Case("wrong", task, calls + [_say(WRONG)]),
           Case("garbage", task, calls + [_say(GARBAGE)]),
           Case("unterminated_think", task, [_say("<think>Let me think about " + WRONG)]),
           Case("broken_task", task.model_copy(update={"data": {}}), gold)]
    if calls:
        first = calls[0]["tool_calls"][0]
        bad = {**first, "function": {**first["function"], "arguments": "{}"}}
        out += [Case("tool_bad_args", task, [_say("", [bad])] + gold),
                Case("truncated", task, calls)]
    return out


def native(env: BaseEnv, case: Case) -> Outcome:
    messages, score = replay(env, case.task, case.actions)
    return Outcome(reward_or_none(score), score.status, observations(messages, len(case.task.prompt)))


# ---------------------------------------------------------------- adapters
def run_trl(env: BaseEnv, case: Case) -> Outcome:
    from gymkit.integrations.trl import GymkitReward, environment_factory, rows_dataset

    try:
        row = rows_dataset(env, [case.task])[0]
    except GymkitError as e:
        raise NotSupported(str(e)) from None
    tools = None
    if env.multi_turn:
        try:
            tools = environment_factory(env.name)()
        except GymkitError as e:
            raise NotSupported(str(e)) from None
        tools.reset(**row)
    methods = {n: getattr(tools, n) for n, _ in inspect.getmembers(type(tools), inspect.isfunction)
               if n not in ("reset", "get_reward") and not n.startswith("_")} if tools else {}
    completion: list[Message] = []
    for action in case.actions:
        calls = [{"type": "function", "function": {"name": c["function"]["name"],
                                                   "arguments": call_arguments(c)}}
                 for c in action.get("tool_calls") or []]  # TRL's parser hands arguments as a dict
        completion.append(_say(action.get("content") or "", calls))
        for call in calls:  # as GRPOTrainer._tool_call_loop runs them
            fn = call["function"]
            try:
                if fn["name"] not in methods:
                    raise ValueError(f"Tool {fn['name']} not found.")
                result = methods[fn["name"]](**fn["arguments"])
            except Exception as e:  # TRL's own handling: the error goes back as the tool result
                result = {"error": str(e)}
            completion.append({"role": "tool", "name": fn["name"], "content": str(result)})
    logged: dict[str, list] = {}
    reward = GymkitReward(env.name, instance=env)(
        prompts=[row["prompt"]], completions=[completion], gymkit_task=[row[TASK_COLUMN]],
        log_extra=lambda column, values: logged.setdefault(column, []).extend(values))[0]
    obs = [m["content"] for m in completion if m["role"] == "tool"]
    return Outcome(reward, logged[f"gymkit_status/{env.name}"][0], obs)


def run_verl(env: BaseEnv, case: Case) -> Outcome:
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import get_custom_reward_fn

    from gymkit.integrations.verl import row

    try:
        refuse_task_tools(env, [case.task], "verl")
    except GymkitError as e:
        raise NotSupported(str(e)) from None
    fn = get_custom_reward_fn(OmegaConf.create({"reward": {"custom_reward_function": {
        "path": "pkg://gymkit.integrations.verl", "name": "compute_score", "reward_kwargs": {}}}}))
    r = row(case.task, 0, env)
    extra = {**r["extra_info"], "num_turns": len(case.actions) * 2, "rollout_reward_scores": {}}
    obs = None
    if env.multi_turn:
        tool_fields, obs = asyncio.run(_verl_tool_loop(env, case, r))
        extra.update(tool_fields)  # as verl's reward managers merge `tool_extra_fields`
    result = fn(data_source=r["data_source"], solution_str=case.actions[-1].get("content") or "",
                ground_truth=r["reward_model"]["ground_truth"], extra_info=extra)
    # verl has no "no reward": an unscored row must come back as 0.0 with its flag down
    unscored_ok = not result["gymkit_scored"] and result["score"] == 0.0
    reward = None if unscored_ok else result["score"]
    return Outcome(reward, result["gymkit_status"], obs)


async def _verl_tool_loop(env: BaseEnv, case: Case, r: dict) -> tuple[dict, list[str]]:
    """The transcript's tool calls through verl's own `ToolAgentLoop._call_tool` (argument
    decoding, create/execute/release, its error text), with the tools verl loads from the
    config `write_tool_config` writes. No model server exists here, so only that method runs."""
    import contextlib
    import io
    import tempfile

    from verl.experimental.agent_loop.tool_agent_loop import AgentData, ToolAgentLoop
    from verl.experimental.agent_loop.tool_parser import FunctionCall
    from verl.tools.tool_registry import initialize_tools_from_config

    from gymkit.integrations.verl_tool import write_tool_config

    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = write_tool_config(env.name, f"{tmp}/tools.yaml")
            with contextlib.redirect_stdout(io.StringIO()):  # verl's BaseTool prints each schema
                tools = {t.name: t for t in initialize_tools_from_config(str(path))}
    except GymkitError as e:
        raise NotSupported(str(e)) from None
    loop = ToolAgentLoop.__new__(ToolAgentLoop)  # _call_tool reads only these three fields
    loop.tools, loop.tool_response_truncate_side = tools, "middle"
    loop.max_tool_response_length = VERL_TOOL_RESPONSE_CHARS
    data = AgentData(messages=list(r["prompt"]), image_data=None, video_data=None, audio_data=None,
                     mm_processor_kwargs=None, metrics={}, request_id=case.name,
                     tools_kwargs=r["extra_info"]["tools_kwargs"])
    obs: list[str] = []
    for action in case.actions:
        calls = [FunctionCall(name=c["function"]["name"], arguments=json.dumps(call_arguments(c)))
                 for c in action.get("tool_calls") or []]
        data.messages.append(_say(action.get("content") or "", [
            {"type": "function", "function": {"name": c.name, "arguments": json.loads(c.arguments)}}
            for c in calls]))
        replies = [(await loop._call_tool(c, data.tools_kwargs, data))[0].text or "" for c in calls]
        data.messages.extend({"role": "tool", "content": text} for text in replies)
        obs += replies
    return dict(data.extra_fields), obs


def run_verifiers(env: BaseEnv, case: Case) -> Outcome:
    from gymkit.integrations import verifiers as gv

    if env.multi_turn:
        raise NotSupported("multi-turn envs: gymkit ships no verifiers Toolset")
    try:
        refuse_task_tools(env, [case.task], "verifiers")
    except GymkitError as e:
        raise NotSupported(str(e)) from None
    vf = gv.vf
    from verifiers.v1.errors import TaskError
    from verifiers.v1.graph import MessageNode

    task = gv.GymkitTask(gv.GymkitTaskData(id=case.task.id, prompt=list(case.task.prompt),
                                           gymkit_task=case.task.model_dump_json()))
    nodes = [MessageNode(parent=i - 1 if i else None, message=m)
             for i, m in enumerate(task.data.prompt)]
    for a in case.actions:
        nodes.append(MessageNode(parent=len(nodes) - 1, sampled=True,
                                 message=vf.AssistantMessage(content=a.get("content") or "")))
    trace = vf.Trace(task=vf.TraceTask(type=type(task).__name__, data=task.data, key=task.key,
                                       hash=task.hash),
                     agent=vf.AgentInfo(config=vf.AgentConfig()), nodes=nodes)
    try:
        asyncio.run(task.score(trace))
    except TaskError:  # how verifiers marks a failed scoring; its rollout records it on the trace
        return Outcome(None, trace.info["gymkit"]["status"])
    reward = trace.rewards["gymkit"]
    return Outcome(reward.score if reward is not None else None, trace.info["gymkit"]["status"])


ADAPTERS: dict[str, tuple[str, Callable[[BaseEnv, Case], Outcome]]] = {
    "trl": ("trl", run_trl), "verl": ("verl", run_verl), "verifiers": ("verifiers", run_verifiers)}


def installed(adapter: str) -> bool:
    """Whether the adapter's framework can be imported here (the checkout's own verifiers/
    folder does not count for `verifiers`)."""
    module = ADAPTERS[adapter][0]
    if adapter == "verifiers":
        try:
            from gymkit.integrations.verifiers import vf  # noqa: F401
        except ModuleNotFoundError:
            return False
        return True
    return importlib.util.find_spec(module) is not None


def compare(native_out: Outcome, got: Outcome) -> str | None:
    """None when the adapter agrees with the native path, else what differs."""
    diffs = []
    if got.status != native_out.status:
        diffs.append(f"status {got.status} != {native_out.status}")
    if not same_reward(got.reward, native_out.reward):
        diffs.append(f"reward {got.reward} != {native_out.reward}")
    # after an env crash the native episode has ended; frameworks go on showing their own
    # error text, so only the verdict is compared there
    if native_out.status != "error" and got.observations is not None \
            and got.observations != native_out.observations:
        diffs.append(f"observations differ: {json.dumps(got.observations)[:120]} != "
                     f"{json.dumps(native_out.observations)[:120]}")
    return "; ".join(diffs) or None


def check_env(env: BaseEnv, adapters: list[str], seed: int = 0) -> list[Check]:
    """Every case of `env` through the native path and each adapter in `adapters`."""
    checks = []
    for case in cases(env, seed):
        with _quiet() if case.name == "broken_task" else contextlib.nullcontext():
            checks.append(_check(env, case, adapters))
    return checks


@contextlib.contextmanager
def _quiet():
    """The broken_task case crashes the env on purpose: its tracebacks (gymkit's, and the
    warnings frameworks log for a failing tool) are not news."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


def _check(env: BaseEnv, case: Case, adapters: list[str]) -> Check:
    check = Check(case.name, native(env, case))
    for adapter in adapters:
        try:
            got = ADAPTERS[adapter][1](env, case)
        except NotSupported as e:
            check.results[adapter] = f"n/a: {e}"
            continue
        check.results[adapter] = got
        diff = compare(check.native, got)
        if diff:
            check.diffs[adapter] = diff
    return check
