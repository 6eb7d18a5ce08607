"""The store's READ and WRITE tools, with the domain rules enforced inside them.

`RetailTools` is a mixin of `@tool` methods for the env class. Every tool acts on the
episode's own database (`episode.state["db"]`); rule violations come back to the model as
`error: ...` observations and change nothing.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Literal

from gymkit.env import Episode
from gymkit.tools import ToolCallError, tool

from .db import Address, Database, Order, Payment, User, money

CancelReason = Literal["no longer needed", "ordered by mistake"]
# Postal abbreviations people use; an address is stored in its long form so "Ave" == "Avenue".
_STREET_WORDS = {"ave": "Avenue", "av": "Avenue", "st": "Street", "str": "Street", "rd": "Road",
                 "blvd": "Boulevard", "dr": "Drive", "ln": "Lane", "ct": "Court", "pl": "Place",
                 "pkwy": "Parkway", "hwy": "Highway", "ter": "Terrace", "cir": "Circle",
                 "sq": "Square", "trl": "Trail", "apt": "Apartment", "ste": "Suite",
                 "n": "North", "s": "South", "e": "East", "w": "West"}
_STATES = {"texas": "TX", "colorado": "CO", "oregon": "OR", "ohio": "OH", "north carolina": "NC",
           "arizona": "AZ", "wisconsin": "WI", "idaho": "ID"}


def canonical_street(text: str) -> str:
    """`123 maple ave.` -> `123 Maple Avenue`: abbreviations expanded, case and spaces fixed."""
    words = text.replace(",", " ").replace(".", " ").split()
    return " ".join(_STREET_WORDS.get(w.lower(), w[:1].upper() + w[1:].lower()) for w in words)


def canonical_address(address1: str, address2: str, city: str, state: str, zip: str) -> Address:
    """An address in one spelling; a second line written after a comma in line 1 moves down."""
    address1, address2 = address1.strip(), address2.strip()
    if not address2 and "," in address1:
        address1, address2 = (p.strip() for p in address1.rsplit(",", 1))
    state = state.strip().rstrip(".")
    return Address(address1=canonical_street(address1), address2=canonical_street(address2),
                   city=" ".join(w.capitalize() for w in city.replace(".", " ").split()),
                   state=_STATES.get(state.lower(), state.upper()), zip=zip.strip())


def _dump(model) -> str:
    return json.dumps(model.model_dump(), sort_keys=False)


class RetailTools:
    """READ tools (lookups) and WRITE tools (order changes) of the retail store."""

    # ------------------------------------------------------------ identity and access
    @staticmethod
    def _db(ep: Episode) -> Database:
        return ep.state["db"]

    def _authenticate(self, ep: Episode, user: User | None, how: str) -> str:
        if user is None:
            raise ToolCallError(f"no user found with that {how}")
        current = ep.state.get("auth")
        if current and current != user.user_id:  # one customer per conversation
            raise ToolCallError(f"already authenticated as {current}; one user per conversation")
        ep.state["auth"] = user.user_id
        return user.user_id

    def _auth_user(self, ep: Episode) -> User:
        uid = ep.state.get("auth")
        if not uid:
            raise ToolCallError("authenticate the user first with find_user_id_by_email or "
                                "find_user_id_by_name_zip")
        return self._db(ep).users[uid]

    def _own_order(self, ep: Episode, order_id: str) -> Order:
        user = self._auth_user(ep)
        oid = "#" + order_id.strip().lstrip("#")
        order = self._db(ep).orders.get(oid)
        if order is None or order.user_id != user.user_id:
            raise ToolCallError(f"the authenticated user has no order {oid!r}")
        return order

    # ------------------------------------------------------------ READ tools
    @tool
    def find_user_id_by_email(self, ep: Episode, email: str) -> str:
        """Find a user id by email address; this also authenticates the user."""
        users = self._db(ep).users.values()
        hit = next((u for u in users if u.email.lower() == email.strip().lower()), None)
        return self._authenticate(ep, hit, "email")

    @tool
    def find_user_id_by_name_zip(self, ep: Episode, first_name: str, last_name: str,
                                 zip: str) -> str:
        """Find a user id by first name, last name and zip code; this also authenticates them."""
        key = (first_name.strip().lower(), last_name.strip().lower(), zip.strip())
        hit = next((u for u in self._db(ep).users.values()
                    if (u.first_name.lower(), u.last_name.lower(), u.address.zip) == key), None)
        return self._authenticate(ep, hit, "name and zip code")

    @tool
    def get_user_details(self, ep: Episode, user_id: str) -> str:
        """Profile of the authenticated user: address, payment methods and order ids."""
        user = self._auth_user(ep)
        if user_id.strip() != user.user_id:
            raise ToolCallError("only the authenticated user's details can be read")
        return _dump(user)

    @tool
    def list_user_orders(self, ep: Episode, user_id: str) -> str:
        """Order ids, statuses and item names of the authenticated user's orders."""
        user = self._auth_user(ep)
        if user_id.strip() != user.user_id:
            raise ToolCallError("only the authenticated user's orders can be listed")
        orders = [self._db(ep).orders[o] for o in user.orders]
        return json.dumps([{"order_id": o.order_id, "status": o.status,
                            "items": [i.name for i in o.items]} for o in orders])

    @tool
    def get_order_details(self, ep: Episode, order_id: str) -> str:
        """Status, items, address and payments of one of the authenticated user's orders."""
        return _dump(self._own_order(ep, order_id))

    @tool
    def get_product_details(self, ep: Episode, product_id: str) -> str:
        """A product's variants: item ids, options, prices and availability."""
        product = self._db(ep).products.get(product_id.strip())
        if product is None:
            raise ToolCallError(f"no product {product_id!r}")
        return _dump(product)

    @tool
    def list_product_types(self, ep: Episode) -> str:
        """Every product name in the store with its product id."""
        return json.dumps({p.name: p.product_id for p in self._db(ep).products.values()})

    # ------------------------------------------------------------ WRITE tools
    @tool
    def cancel_pending_order(self, ep: Episode, order_id: str, reason: CancelReason) -> str:
        """Cancel a pending order; the total is refunded to the original payment methods."""
        order = self._own_order(ep, order_id)
        if order.status != "pending":
            raise ToolCallError(f"order {order.order_id} is {order.status}; only pending "
                                "orders can be cancelled")
        user = self._db(ep).users[order.user_id]
        for p in [p for p in order.payments if p.kind == "payment"]:
            order.payments.append(Payment(kind="refund", amount=p.amount,
                                          payment_method_id=p.payment_method_id))
            pm = user.payment_methods.get(p.payment_method_id)
            if pm is not None and pm.source == "gift_card":  # gift cards are refunded at once
                pm.balance = round((pm.balance or 0.0) + p.amount, 2)
        order.status, order.cancel_reason = "cancelled", reason
        return _dump(order)

    @tool
    def modify_pending_order_address(self, ep: Episode, order_id: str, address1: str,
                                     address2: str, city: str, state: str, zip: str) -> str:
        """Change the shipping address of a pending order."""
        order = self._own_order(ep, order_id)
        if order.status != "pending":
            raise ToolCallError(f"order {order.order_id} is {order.status}; only pending "
                                "orders can be modified")
        fields = [address1, city, state, zip]
        if not all(f.strip() for f in fields) or not (zip.strip().isdigit() and len(zip.strip()) == 5):
            raise ToolCallError("address1, city, state and a 5-digit zip are required")
        order.address = canonical_address(address1, address2, city, state, zip)
        return _dump(order)

    def _check_items(self, order: Order, item_ids: list[str]) -> None:
        if not item_ids:
            raise ToolCallError("item_ids must name at least one item")
        have = Counter(i.item_id for i in order.items)
        for iid, n in Counter(item_ids).items():
            if have[iid] < n:
                raise ToolCallError(f"order {order.order_id} has no (or not enough) item {iid!r}")

    def _delivered(self, order: Order) -> None:
        if order.status != "delivered":
            raise ToolCallError(f"order {order.order_id} is {order.status}; only delivered "
                                "orders can be returned or exchanged")

    @tool
    def return_delivered_order_items(self, ep: Episode, order_id: str, item_ids: list[str],
                                     payment_method_id: str) -> str:
        """Request a return of items of a delivered order. The refund goes to the original
        payment method or to one of the user's gift cards."""
        order = self._own_order(ep, order_id)
        self._delivered(order)
        self._check_items(order, item_ids)
        user = self._db(ep).users[order.user_id]
        pm = user.payment_methods.get(payment_method_id)
        if payment_method_id != order.payments[0].payment_method_id and (
                pm is None or pm.source != "gift_card"):
            raise ToolCallError("a refund must go to the original payment method or a gift card")
        order.status = "return requested"
        order.return_items = sorted(item_ids)
        order.return_payment_method_id = payment_method_id
        refund = sum(i.price for i in order.items if i.item_id in set(item_ids))
        return json.dumps({"order_id": order.order_id, "status": order.status,
                           "refund_amount": money(refund)})

    @tool
    def exchange_delivered_order_items(self, ep: Episode, order_id: str, item_ids: list[str],
                                       new_item_ids: list[str], payment_method_id: str) -> str:
        """Request an exchange of items of a delivered order for other variants of the same
        products (same position in both lists). The price difference is charged or refunded
        through the given payment method."""
        order = self._own_order(ep, order_id)
        self._delivered(order)
        self._check_items(order, item_ids)
        if len(new_item_ids) != len(item_ids):
            raise ToolCallError("item_ids and new_item_ids must have the same length")
        db, diff = self._db(ep), 0.0
        for old_id, new_id in zip(item_ids, new_item_ids):
            old = next(i for i in order.items if i.item_id == old_id)
            new = db.products[old.product_id].variants.get(new_id)
            if new is None or new_id == old_id:
                raise ToolCallError(f"{new_id!r} is not another variant of {old.name}")
            if not new.available:
                raise ToolCallError(f"item {new_id} is not available")
            diff += new.price - old.price
        diff = round(diff, 2)
        pm = db.users[order.user_id].payment_methods.get(payment_method_id)
        if pm is None:
            raise ToolCallError(f"the user has no payment method {payment_method_id!r}")
        if pm.source == "gift_card" and diff > (pm.balance or 0.0):
            raise ToolCallError(f"gift card balance {money(pm.balance or 0)} cannot cover {money(diff)}")
        order.status = "exchange requested"
        order.exchange_pairs = sorted(zip(item_ids, new_item_ids))
        order.exchange_payment_method_id, order.exchange_price_difference = payment_method_id, diff
        return json.dumps({"order_id": order.order_id, "status": order.status,
                           "price_difference": money(diff)})
