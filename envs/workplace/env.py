"""`workplace`: an assistant with directory, calendar, mail and task tools in a generated
company; the final database and the facts told are checked against the gold actions."""
from __future__ import annotations

import copy
import json
import random
import re
from typing import Any

from gymkit.chat import strip_thinking, system, user
from gymkit.env import BaseEnv, Episode, message_calls
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import make_call
from gymkit.types import Message, Score, Step, Task

from .db import diff, generate_db
from .facts import told_problems, values
from .tasks import KINDS_PER_LEVEL, make_plan
from .tools import DESTRUCTIVE, MAX_TEXT, WorkplaceTools

POLICY = """You are the work assistant of {name} ({email}, {title}, {dept}) at Acme.
Today is Monday 2026-03-02; this week runs from Monday 2026-03-02 to Friday 2026-03-06.
Rules:
- Look things up with the tools; never guess ids, emails, times or names.
- Meetings start on the hour, within working hours 09:00-17:00. "The first free slot" after a
  time is the earliest one-hour slot at or after it, this week, in which every attendee has no
  confirmed event (the meeting being moved does not count).
- Do only what the user asks: no extra events, emails or task changes.
- Before cancelling an event or deleting a task, ask the user to confirm, naming it (title or
  id), and wait for a yes.
- When done, reply with a short message that tells the user what they asked to know (times
  as HH:MM, dates, full names). State each fact once, plainly."""
CONFIRMED = "Yes, go ahead."
# A question that asks the user's go-ahead; any other message without tool calls is final.
_ASKS = re.compile(r"\bconfirm|\bproceed\b|\bgo ahead\b|\bshall i\b|\bshould i\b|"
                   r"\bok(?:ay)? to\b|\bwant me to\b|\byes/no\b|\byes or no\b", re.I)
_PLEASE = re.compile(r"\bplease confirm\b|\byes/no\b|\byes or no\b", re.I)  # asks without a '?'
KINDS = ("time", "date", "name")


@register_env
class WorkplaceEnv(WorkplaceTools, BaseEnv):
    """A company database behind typed tools; the end state and what was told are checked."""

    name = "workplace"
    family = "agent"
    verifier = ("end database == database after the gold actions (events, tasks, email "
                "recipients and content facts), required facts told plainly, destructive "
                "writes confirmed")
    difficulties = (1, 2, 3)
    max_turns = 30
    max_tool_calls = 40

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        pick = rng.randrange(KINDS_PER_LEVEL[difficulty])  # drawn once: retries change the company
        for _ in range(60):
            seed = rng.randrange(10 ** 9)
            plan = make_plan(rng, generate_db(seed, difficulty), difficulty, pick)
            if plan is not None:
                task = self.build_task(seed, plan.request, plan.steps, plan.final, plan.required,
                                       plan.emails, plan.allowed, f"workplace-{difficulty}-{index}",
                                       distractors=difficulty, lists=plan.lists)
                task.meta["kinds"] = plan.kinds
                return task
        raise GymkitError(f"workplace: no request of difficulty {difficulty} fits 60 companies")

    def build_task(self, db_seed: int, request: str, steps: list, final: str,
                   required: list[dict], emails: list[dict], allowed: dict,
                   task_id: str, distractors: int = 1, lists: dict | None = None) -> Task:
        """A task from a company seed, the request and its gold steps (calls and questions).
        `lists[kind]` holds groups of values (a meeting's attendees) the answer may list
        together: see facts.told_problems."""
        if distractors not in (1, 2, 3):
            raise GymkitError(f"workplace task {task_id}: distractors must be 1, 2 or 3")
        lists = lists or {}
        if not (isinstance(lists, dict) and all(
                k in KINDS and isinstance(gs, list) and all(
                    isinstance(g, list) and all(isinstance(v, str) for v in g) for g in gs)
                for k, gs in lists.items())):
            raise GymkitError(f"workplace task {task_id}: lists must map a kind in {KINDS} "
                              f"to lists of string values; got {lists!r}"[:300])
        db = generate_db(db_seed, distractors)
        me = db["people"][db["me"]]
        for r in required + [m for e in emails for m in e["mention"]]:
            if r.get("kind") not in KINDS or not isinstance(r.get("value"), str):
                raise GymkitError(f"workplace task {task_id}: a fact needs kind in {KINDS} "
                                  f"and a string value; got {r}")
        gold: list[Message] = []
        for n, (kind, what) in enumerate(steps):
            if kind == "call":
                gold.append({"role": "assistant", "content": "",
                             "tool_calls": [make_call(what[0], what[1], f"call_{n}")]})
            else:
                gold.append({"role": "assistant", "content": what})
        gold.append({"role": "assistant", "content": final})
        prompt = [system(POLICY.format(name=me["name"], email=me["email"], title=me["title"],
                                       dept=me["department"])), user(request)]
        return Task(id=task_id, env=self.name, prompt=prompt, gold=gold,
                    data={"db_seed": db_seed, "distractors": distractors,
                          "required": required, "emails": emails,
                          "allowed": {k: sorted(v) for k, v in allowed.items()},
                          **({"lists": lists} if lists else {})})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Rows over a generated company: `{"id", "db_seed", "request", "actions": [{"name",
        "kwargs"}], "final", "required": [{"kind", "value"}], "emails": [{"to", "mention"}],
        "lists": {kind: [[value, ...]]}}` (lists optional).
        A confirmation question naming the target goes before each destructive action."""
        missing = [k for k in ("db_seed", "request", "actions") if k not in row]
        if missing:
            raise GymkitError(f"workplace row {index} lacks {missing}; needs db_seed, request, actions")
        steps: list = []
        for a in row["actions"]:
            name, kw = a.get("name"), dict(a.get("kwargs") or {})
            if name not in self._tool_specs:
                raise GymkitError(f"workplace row {index}: {name!r} is not a tool")
            if name in DESTRUCTIVE:
                steps.append(("say", f"Shall I {name.replace('_', ' ')} {kw.get(DESTRUCTIVE[name])}? "
                                     "Please confirm."))
            steps.append(("call", (name, kw)))
        return self.build_task(int(row["db_seed"]), str(row["request"]), steps,
                               str(row.get("final", "Done.")), list(row.get("required", [])),
                               list(row.get("emails", [])), dict(row.get("allowed", {})),
                               str(row.get("id", f"workplace-row-{index}")),
                               int(row.get("distractors", 1)), row.get("lists"))

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        ep = Episode(task=task)
        db = generate_db(task.data["db_seed"], task.data.get("distractors", 1))
        names = sorted(p["name"] for p in db["people"].values())
        seen = {k: values(task.prompt[-1]["content"], k, names) for k in KINDS}
        ep.state.update(db=db, start=copy.deepcopy(db), names=names, seen=seen,
                        confirmed="", unconfirmed=[])
        return ep

    def run_calls(self, episode: Episode, calls: list[dict], errors: list[str]) -> list[Message]:
        """Run calls one by one; note the facts results showed, and destructive writes made
        without a confirmed question that named their target."""
        obs = []
        for k, call in enumerate(calls or [None]):
            out = super().run_calls(episode, [call] if call else [], errors if k == 0 else [])
            obs.extend(out)
            if call is None or not out:
                continue
            result = str(out[-1].get("content") or "")
            if result.startswith("error"):
                continue
            for kind in KINDS:
                episode.state["seen"][kind] |= values(result[:20000], kind, episode.state["names"])
            name = _call_name(call)
            if name in DESTRUCTIVE and not self._confirmed(episode, result):
                episode.state["unconfirmed"].append(name)
        return obs

    @staticmethod
    def _confirmed(episode: Episode, result: str) -> bool:
        """Did the user say yes to a question that named this write's target (id or title)?"""
        asked = episode.state["confirmed"]
        try:
            rec = json.loads(result)
        except ValueError:
            return False
        tid = str(rec.get("id") or rec.get("deleted") or "").lower()
        if not tid:
            return False
        start = episode.state["start"]
        title = (start["events"].get(rec.get("id", ""), {}) or
                 start["tasks"].get(tid, {})).get("title", "\0").lower()
        named = re.search(rf"(?<![\w-]){re.escape(tid)}(?![\w-])", asked)  # t-30 is not t-301
        return bool(asked) and (bool(named) or title in asked)

    def respond(self, episode: Episode, message: Message) -> Step:
        """Run tool calls; a question asking the go-ahead gets a yes; any other text is final."""
        calls, errors = message_calls(message)
        if calls or errors:
            return Step(observation=self.run_calls(episode, calls, errors))
        text = strip_thinking(message.get("content") or "") or ""
        if ("?" in text or _PLEASE.search(text)) and _ASKS.search(text) and len(text) <= MAX_TEXT:
            episode.state["confirmed"] = text.lower()  # one question covers what it names
            return Step(observation=[user(CONFIRMED)])
        return Step(done=True, score=self.safe_score(episode, text))

    def gold_db(self, task: Task) -> dict:
        """The database after replaying the gold tool calls on a fresh copy."""
        return self.after_gold_calls(task).state["db"]

    def score_episode(self, episode: Episode, response: str) -> Score:
        st, data = episode.state, episode.task.data
        db, gold = st["db"], self.gold_db(episode.task)
        differs = diff(db, gold, st["start"])
        allowed = {k: st["seen"][k] | set(data.get("allowed", {}).get(k, [])) for k in KINDS}
        problems: list[str] = []
        if not differs:  # recipients match the gold's, pair the emails in order
            sent = sorted((m for m in db["emails"].values() if m["folder"] == "sent"),
                          key=lambda m: (m["to"], m["id"]))
            me = db["people"][db["me"]]["email"]
            for want in sorted(data.get("emails", []), key=lambda e: sorted(e["to"])):
                got = next(m for m in sent if [a for a in m["to"] if a != me] == sorted(want["to"]))
                sent.remove(got)
                problems += [f"email to {', '.join(got['to'])}: {p}" for p in told_problems(
                    f"{got['subject']}\n{got['body']}", want["mention"], allowed, st["names"],
                    st["seen"], data.get("lists"))]
        if len(response) > MAX_TEXT:
            problems.append(f"final message over {MAX_TEXT} characters is not read")
            response = ""
        problems += told_problems(response, data.get("required", []), allowed, st["names"],
                                  st["seen"], data.get("lists"))
        unconfirmed = st["unconfirmed"]
        comps = {"db_match": float(not differs), "info_told": float(not problems),
                 "confirmed": float(not unconfirmed)}
        if differs or problems or unconfirmed:
            reason = ("database differs from gold: " + "; ".join(differs) if differs
                      else "; ".join(problems) if problems
                      else "the policy asks for confirmation first: " + ", ".join(unconfirmed))
            s = Score.wrong(reason[:500], differs=differs, problems=problems[:5],
                            unconfirmed=unconfirmed)
        else:
            s = Score.correct()
        s.components = comps
        return s


def _call_name(call: Any) -> str:
    fn = call.get("function") if isinstance(call, dict) else None
    return str(fn.get("name", "")) if isinstance(fn, dict) else ""

