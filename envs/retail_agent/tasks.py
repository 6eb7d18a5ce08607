"""Retail tasks: the customer's requests (intents), their script, and the gold conversation.

An intent is one request on one order: cancel, change the shipping address, return items,
exchange an item, or tell the order's total. `make_intent` turns (database, request,
parameters) into the customer's lines, the gold write action and the information the agent
must tell; `gold_conversation` writes the assistant messages that solve a list of intents.
"""
from __future__ import annotations

from typing import Any

from gymkit.chat import assistant
from gymkit.errors import GymkitError
from gymkit.tools import make_call
from gymkit.types import Message

from .db import Database, Order, PaymentMethod, User, describe_item, money

KINDS = ("cancel", "address", "return", "exchange", "order_total")
WRITE_TOOLS = {"cancel_pending_order": "cancel", "modify_pending_order_address": "address",
               "return_delivered_order_items": "return",
               "exchange_delivered_order_items": "exchange"}
OPENINGS = {
    "cancel": "I'd like to cancel an order.",
    "address": "I need to change the shipping address on one of my orders.",
    "return": "I want to return some things I received.",
    "exchange": "I'd like to exchange something I bought.",
    "order_total": "Can you tell me how much I paid for one of my orders?",
}
REASONS = {"no longer needed": "I no longer need it.", "ordered by mistake": "I ordered it by mistake."}


def pm_phrase(pm: PaymentMethod) -> str:
    """How a customer names a payment method."""
    if pm.source == "credit_card":
        return f"credit card ending in {pm.last_four}"
    return "gift card" if pm.source == "gift_card" else "PayPal account"


def order_blurb(order: Order) -> str:
    return " and the ".join(i.name for i in order.items)


def ref_is_unique(db: Database, order: Order) -> bool:
    """True when no other order of the customer has the same products (so it can be named)."""
    names = sorted(i.name for i in order.items)
    return all(sorted(i.name for i in db.orders[o].items) != names
               for o in db.users[order.user_id].orders if o != order.order_id)


def identity_script(user: User, knows_email: bool) -> dict[str, str]:
    name = f"My name is {user.first_name} {user.last_name} and my zip code is {user.address.zip}."
    email = (f"My email is {user.email}." if knows_email
             else f"I don't remember my email. {name}")
    return {"email": email, "name": name}


def make_intent(db: Database, kind: str, order_id: str, ref: str, first: bool,
                **p: Any) -> dict[str, Any]:
    """One request: customer lines, the gold action, and the information the agent must tell."""
    order = db.orders.get(order_id)
    if order is None or kind not in KINDS:
        raise GymkitError(f"retail intent needs a known order and a kind in {KINDS}; "
                          f"got {kind!r} on {order_id!r}")
    user = db.users[order.user_id]
    said = (f"The order id is {order_id}." if ref == "id" else
            f"I don't know the order number. It's the one with the {order_blurb(order)}.")
    answers: dict[str, str] = {"order": said}
    action: dict[str, Any] | None = None
    required: list[str] = []
    if kind == "cancel":
        answers["reason"] = REASONS[p["reason"]]
        action = {"name": "cancel_pending_order", "kwargs": {"order_id": order_id, "reason": p["reason"]}}
        required = [money(order.total)]
    elif kind == "address":
        a = p["address"]
        answers["address"] = f"Please ship it to {a['address1']}, {a['address2']}, {a['city']}, {a['state']} {a['zip']}."
        action = {"name": "modify_pending_order_address", "kwargs": {"order_id": order_id, **a}}
    elif kind == "return":
        items = [i for i in order.items if i.item_id in p["item_ids"]]
        answers["items"] = "I want to return the " + " and the ".join(describe_item(i, i.name) for i in items) + "."
        pm = user.payment_methods[p["payment_method_id"]]
        answers["payment"] = ("Please refund it to the original payment method."
                              if pm.id == order.payments[0].payment_method_id
                              else f"Please put the refund on my {pm_phrase(pm)}.")
        action = {"name": "return_delivered_order_items", "kwargs": {
            "order_id": order_id, "item_ids": p["item_ids"], "payment_method_id": pm.id}}
        required = [money(sum(i.price for i in items))]
    elif kind == "exchange":
        old = next(i for i in order.items if i.item_id == p["item_id"])
        new = db.products[old.product_id].variants[p["new_item_id"]]
        answers["items"] = f"The {describe_item(old, old.name)}."
        answers["option"] = ("I'd like it with " + ", ".join(f"{k} {v}" for k, v in new.options.items())
                             + " instead.")
        answers["payment"] = f"Please use my {pm_phrase(user.payment_methods[p['payment_method_id']])}."
        action = {"name": "exchange_delivered_order_items", "kwargs": {
            "order_id": order_id, "item_ids": [old.item_id], "new_item_ids": [new.item_id],
            "payment_method_id": p["payment_method_id"]}}
        required = [money(abs(new.price - old.price))]
    else:
        required = [money(order.total)]
    opening = ("Hi! " if first else "Yes, one more thing. ") + OPENINGS[kind]
    return {"kind": kind, "order_id": order_id, "ref": ref, "opening": opening,
            "answers": answers, "action": action, "required": required}


class _Gold:
    """Writes the gold assistant messages, numbering tool-call ids deterministically."""

    def __init__(self) -> None:
        self.msgs: list[Message] = []

    def say(self, text: str) -> None:
        self.msgs.append(assistant(text))

    def call(self, *calls: tuple[str, dict]) -> None:
        made = [make_call(n, a, call_id=f"call_{len(self.msgs)}_{k}") for k, (n, a) in enumerate(calls)]
        self.msgs.append(assistant("", made))


def gold_conversation(db: Database, user: User, knows_email: bool,
                      intents: list[dict[str, Any]]) -> list[Message]:
    """The assistant's side of a conversation that does every request by the rules."""
    g = _Gold()
    if knows_email:
        g.say("Hello! I can help with that. First, to verify your identity, what is your email?")
        g.call(("find_user_id_by_email", {"email": user.email}))
    else:
        g.say("Hello! I can help with that. First, to verify your identity, what is your name and zip code?")
        g.call(("find_user_id_by_name_zip", {"first_name": user.first_name,
                                             "last_name": user.last_name, "zip": user.address.zip}))
    g.call(("get_user_details", {"user_id": user.user_id}))
    for it in intents:
        order = db.orders[it["order_id"]]
        oid = order.order_id
        g.say("Thank you. Which order is this about? Please tell me the order id.")
        if it["ref"] == "id":
            g.call(("get_order_details", {"order_id": oid}))
        else:  # the customer named the products: look through their orders
            g.call(*[("get_order_details", {"order_id": o}) for o in user.orders])
        kw = (it["action"] or {}).get("kwargs", {})
        _gold_request(g, db, user, order, it, kw)
        if it["action"]:
            g.call((it["action"]["name"], kw))
            g.say(f"Done: your request for order {oid} has been submitted. "
                  "Is there anything else I can help with?")
    return g.msgs


def _gold_request(g: _Gold, db: Database, user: User, order: Order, it: dict, kw: dict) -> None:
    oid, amount = order.order_id, (it["required"] or [""])[0]
    if it["kind"] == "cancel":
        g.say("What is the reason for the cancellation: no longer needed, or ordered by mistake?")
        g.say(f"I will cancel order {oid} with the reason '{kw['reason']}'. The refund of "
              f"${amount} goes back to the original payment method. Do you confirm (yes/no)?")
    elif it["kind"] == "address":
        g.say("What is the new shipping address?")
        g.say(f"I will change the shipping address of order {oid} to {kw['address1']}, "
              f"{kw['address2']}, {kw['city']}, {kw['state']} {kw['zip']}. Do you confirm (yes/no)?")
    elif it["kind"] == "return":
        g.say("Which items would you like to return, and should the refund go to the original "
              "payment method or to a gift card?")
        pm = user.payment_methods[kw["payment_method_id"]]
        g.say(f"I will request a return of {len(kw['item_ids'])} item(s) from order {oid}; the "
              f"refund of ${amount} goes to your {pm_phrase(pm)}. Do you confirm (yes/no)?")
    elif it["kind"] == "exchange":
        g.say("Which item would you like to exchange, and which option would you like instead? "
              "Which payment method should cover the price difference?")
        old = next(i for i in order.items if i.item_id == kw["item_ids"][0])
        g.call(("get_product_details", {"product_id": old.product_id}))
        new = db.products[old.product_id].variants[kw["new_item_ids"][0]]
        pm = user.payment_methods[kw["payment_method_id"]]
        way = "charged to" if new.price >= old.price else "refunded to"
        g.say(f"I will exchange the {describe_item(old, old.name)} for the "
              f"{describe_item(new, old.name)} in order {oid}. The price difference of ${amount} "
              f"is {way} your {pm_phrase(pm)}. Do you confirm (yes/no)?")
    else:
        g.say(f"Order {oid} came to ${amount} in total. Is there anything else I can help with?")
