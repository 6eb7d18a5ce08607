"""`retail_agent`: a tau-bench-style customer-service episode with tools and a scripted customer."""
from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from typing import Any

from gymkit.chat import strip_thinking, system, user
from gymkit.env import BaseEnv, Episode, message_calls
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Message, Score, Step, Task

from .db import CITIES, STREETS, Database, Order, generate_db
from .tasks import KINDS, WRITE_TOOLS, gold_conversation, identity_script, make_intent, ref_is_unique
from .told import numbers_in, told_problems
from .tools import RetailTools
from .user import CONFIRMED, MAX_READ, customer_reply, new_state

POLICY = """You are a customer-service agent of an online store. Rules:
- Before looking up or changing anything, authenticate the customer with their email, or
  with their first name, last name and zip code (find_user_id_by_email / _by_name_zip).
- Help one customer per conversation, only with their own orders.
- Only pending orders can be cancelled or have their address changed; only delivered orders
  can be returned or exchanged. Refunds go to the original payment method or a gift card.
- Before any change, state what you will do and ask the customer to confirm (yes/no).
- Tell the customer the amounts involved (refunds, price differences, totals).
- When a request is done, ask whether there is anything else."""
# request kinds per difficulty: 1 = one simple request, 2 = returns/exchanges with the customer
# naming products instead of ids, 3 = two requests in one conversation.
LEVEL_KINDS = {1: ("cancel", "address", "order_total"), 2: ("return", "exchange", "cancel"), 3: KINDS}


@register_env
class RetailAgentEnv(RetailTools, BaseEnv):
    """Serve a scripted customer with store tools; the end database and what was said are checked."""

    name = "retail_agent"
    family = "agent"
    verifier = ("end database == database after the gold actions, every write confirmed, and "
                "every required amount told plainly (no competing amounts)")
    difficulties = (1, 2, 3)
    max_turns = 40
    max_tool_calls = 40

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        n_req = 2 if difficulty == 3 else 1
        kinds = rng.sample(LEVEL_KINDS[difficulty], n_req)
        for _ in range(50):  # a fresh store until some customer has orders fitting the requests
            seed = rng.randrange(10 ** 9)
            db = generate_db(seed)
            for uid in rng.sample(sorted(db.users), len(db.users)):
                plan = self._plan(rng, db, uid, kinds, difficulty)
                if plan is not None:
                    knows_email = difficulty == 1 or (difficulty == 3 and rng.random() < 0.5)
                    return self.build_task(seed, uid, knows_email, plan,
                                           f"retail-{difficulty}-{index}", difficulty)
        raise GymkitError(f"retail: no customer fits requests {kinds}")  # never seen in practice

    def _plan(self, rng: random.Random, db: Database, uid: str, kinds: list[str],
              difficulty: int) -> list[dict] | None:
        """(kind, order id, how the order is named, parameters) per request, or None."""
        used: list[str] = []
        plan = []
        for kind in kinds:
            fits = [db.orders[o] for o in db.users[uid].orders
                    if o not in used and self._params(random.Random(0), db, db.orders[o], kind) is not None]
            if not fits:
                return None
            order = rng.choice(fits)
            used.append(order.order_id)
            ref = "id" if difficulty == 1 or not ref_is_unique(db, order) else (
                "items" if difficulty == 2 or rng.random() < 0.5 else "id")
            plan.append({"kind": kind, "order_id": order.order_id, "ref": ref,
                         **self._params(rng, db, order, kind)})
        return plan

    @staticmethod
    def _params(rng: random.Random, db: Database, order: Order, kind: str) -> dict | None:
        """Random parameters of a request that the store's rules allow on `order`, or None."""
        user = db.users[order.user_id]
        if kind in ("cancel", "address") and order.status != "pending":
            return None
        if kind in ("return", "exchange") and order.status != "delivered":
            return None
        if kind == "cancel":
            return {"reason": rng.choice(["no longer needed", "ordered by mistake"])}
        if kind == "address":
            city, state = rng.choice(CITIES)
            return {"address": {"address1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)} Avenue",
                                "address2": f"Unit {rng.randint(1, 60)}", "city": city,
                                "state": state, "zip": f"{rng.randint(10000, 99999)}"}}
        if kind == "return":
            items = rng.sample(order.items, rng.randint(1, len(order.items)))
            pms = [order.payments[0].payment_method_id] + sorted(
                p for p, m in user.payment_methods.items() if m.source == "gift_card")
            return {"item_ids": sorted(i.item_id for i in items), "payment_method_id": rng.choice(pms)}
        if kind == "exchange":
            swaps = [(i, v) for i in order.items for v in db.products[i.product_id].variants.values()
                     if v.available and v.item_id != i.item_id]
            if not swaps:
                return None
            old, new = rng.choice(swaps)
            diff = new.price - old.price
            pms = sorted(p for p, m in user.payment_methods.items()
                         if m.source != "gift_card" or (m.balance or 0) >= diff)
            return {"item_id": old.item_id, "new_item_id": new.item_id,
                    "payment_method_id": rng.choice(pms)}
        return {} if order.status != "cancelled" else None

    def build_task(self, db_seed: int, user_id: str, knows_email: bool, plan: list[dict],
                   task_id: str, difficulty: int | None = None, extra_required: list[str] = ()) -> Task:
        """A task from a store seed, a customer and their requests; the gold is written here."""
        db = generate_db(db_seed)
        if user_id not in db.users:
            raise GymkitError(f"retail task {task_id}: no user {user_id!r} in store {db_seed}")
        intents = [make_intent(db, first=i == 0, **p) for i, p in enumerate(plan)]
        script = {"identity": identity_script(db.users[user_id], knows_email),
                  "intents": [{"opening": it["opening"], "answers": it["answers"]} for it in intents]}
        gold = gold_conversation(db, db.users[user_id], knows_email, intents)
        required = [r for it in intents for r in it["required"]] + list(extra_required)
        data = {"db_seed": db_seed, "user_id": user_id, "user": script, "required": required,
                "requests": [{"kind": it["kind"], "order_id": it["order_id"]} for it in intents]}
        prompt = [system(POLICY), user(intents[0]["opening"])]
        return Task(id=task_id, env=self.name, prompt=prompt, data=data, gold=gold,
                    difficulty=difficulty, meta={"kinds": [it["kind"] for it in intents]})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """tau-bench-style rows over a generated store: `{"db_seed", "user_id", "actions":
        [{"name": "cancel_pending_order", "kwargs": {...}}], "outputs": [...]}`."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        missing = [k for k in ("db_seed", "user_id", "actions") if k not in row]
        if missing:
            raise GymkitError(f"retail row {index} lacks {missing}; needs db_seed, user_id, actions")
        plan = []
        for a in row["actions"]:
            kind, kw = WRITE_TOOLS.get(a.get("name")), dict(a.get("kwargs") or {})
            if kind is None:
                raise GymkitError(f"retail row {index}: action {a.get('name')!r} is not one of "
                                  f"{', '.join(WRITE_TOOLS)}")
            params = {"reason": kw.get("reason")} if kind == "cancel" else (
                {"address": {k: kw[k] for k in ("address1", "address2", "city", "state", "zip")}}
                if kind == "address" else
                {"item_ids": kw["item_ids"], "payment_method_id": kw["payment_method_id"]}
                if kind == "return" else
                {"item_id": kw["item_ids"][0], "new_item_id": kw["new_item_ids"][0],
                 "payment_method_id": kw["payment_method_id"]})
            plan.append({"kind": kind, "order_id": kw["order_id"], "ref": "id", **params})
        return self.build_task(int(row["db_seed"]), row["user_id"], True, plan,
                               str(row.get("id", f"retail-row-{index}")),
                               extra_required=[str(o) for o in row.get("outputs", [])])

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        ep = Episode(task=task)
        ep.state.update(db=generate_db(task.data["db_seed"]), auth=None, told=[], user=new_state(),
                        seen=set(), confirmed=None, unconfirmed=[])
        return ep

    def run_calls(self, episode: Episode, calls: list[dict], errors: list[str]) -> list[Message]:
        """Run the calls one by one, noting the amounts each result showed the agent and every
        write made without a confirmation that named its order (the policy asks for one)."""
        obs = []
        for k, call in enumerate(calls):
            out = super().run_calls(episode, [call], errors if k == 0 else [])
            obs.extend(out)
            result = str(out[-1].get("content") or "")
            episode.state["seen"] |= numbers_in(result)
            if _call_name(call) in WRITE_TOOLS and not result.startswith("error"):
                if self._confirmed_for(episode, call):
                    episode.state["confirmed"] = None  # one confirmation, one write
                else:
                    episode.state["unconfirmed"].append(f"{_call_name(call)} without confirmation")
        return obs if calls else super().run_calls(episode, calls, errors)

    @staticmethod
    def _confirmed_for(episode: Episode, call: dict) -> bool:
        """Did the customer say yes to a message that named this write's order?"""
        asked = episode.state.get("confirmed")
        if not asked:
            return False
        try:
            order_id = str(json.loads(call["function"]["arguments"]).get("order_id", ""))
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return False
        oid = order_id.strip().lstrip("#").lower()
        return bool(oid) and oid in asked

    def respond(self, episode: Episode, message: Message) -> Step:
        """Tool calls go to the store; text goes to the customer, whose reply may end it."""
        calls, errors = message_calls(message)
        if calls or errors:
            return Step(observation=self.run_calls(episode, calls, errors))
        text = strip_thinking(message.get("content") or "") or ""  # the trace is never shown
        if len(text) <= MAX_READ:
            episode.state["told"].append(text)
        reply, stop = customer_reply(episode.task.data["user"], episode.state["user"], text)
        if reply == CONFIRMED:  # what the customer agreed to, for the next write
            episode.state["confirmed"] = text.lower()
        if stop:
            return Step(observation=[user(reply)], done=True, score=self.safe_score(episode, text))
        return Step(observation=[user(reply)])

    def gold_db(self, task: Task) -> Database:
        """The store after replaying the gold tool calls on a fresh copy."""
        return self.after_gold_calls(task).state["db"]

    def score_episode(self, episode: Episode, response: str) -> Score:
        db, gold = episode.state["db"], self.gold_db(episode.task)
        changed = [o for o in sorted(gold.orders) if db.orders[o] != gold.orders[o]]
        changed += [u for u in sorted(gold.users) if db.users[u] != gold.users[u]]
        told, required = episode.state["told"], episode.task.data["required"]
        told_text = "\n".join(told).lower()
        missing = [r for r in required if not _is_amount(r) and r.lower() not in told_text]
        missing += told_problems(told, [Decimal(r) for r in required if _is_amount(r)],
                                 episode.state.get("seen", set()))
        unconfirmed = episode.state.get("unconfirmed", [])
        comps = {"db_match": float(not changed), "info_told": float(not missing),
                 "confirmed": float(not unconfirmed)}
        if changed or missing or unconfirmed:
            reason = (f"database differs from gold at {', '.join(changed)}" if changed
                      else "; ".join(missing) if missing
                      else f"the policy asks for confirmation first: {', '.join(unconfirmed)}")
            s = Score.wrong(reason, differs=changed, missing=missing, unconfirmed=unconfirmed)
        else:
            s = Score.correct()
        s.components = comps
        return s


def _call_name(call: Any) -> str:
    fn = call.get("function") if isinstance(call, dict) else None
    return str(fn.get("name", "")) if isinstance(fn, dict) else ""


def _is_amount(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", text))
