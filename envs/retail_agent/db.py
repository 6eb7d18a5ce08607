"""The retail store's mock database (pydantic), generated from a seed.

Every episode regenerates its database from `Task.data["db_seed"]`, so an episode is rebuilt
on a fresh actor from the task alone, and the gold end state is recomputed the same way.
"""
from __future__ import annotations

import itertools
import random
from typing import Literal

from pydantic import BaseModel

OrderStatus = Literal["pending", "processed", "delivered", "cancelled", "return requested",
                      "exchange requested"]

# product name -> (base price in dollars, option name -> values)
CATALOG: dict[str, tuple[int, dict[str, list[str]]]] = {
    "T-Shirt": (20, {"color": ["red", "blue", "black", "white"], "size": ["S", "M", "L", "XL"]}),
    "Running Shoes": (90, {"size": ["8", "9", "10", "11"], "color": ["black", "white", "red"]}),
    "Desk Lamp": (40, {"color": ["black", "white", "silver"], "bulb": ["LED", "halogen"]}),
    "Water Bottle": (18, {"capacity": ["500ml", "750ml", "1000ml"], "color": ["green", "blue"]}),
    "Backpack": (60, {"color": ["grey", "navy", "black"], "capacity": ["20L", "30L"]}),
    "Headphones": (120, {"type": ["over-ear", "in-ear"], "connectivity": ["wired", "wireless"]}),
    "Coffee Maker": (80, {"capacity": ["4 cups", "8 cups", "12 cups"], "color": ["black", "steel"]}),
    "Mechanical Keyboard": (110, {"switch": ["red", "blue", "brown"], "layout": ["full", "compact"]}),
    "Yoga Mat": (30, {"thickness": ["4mm", "6mm"], "color": ["purple", "green", "blue"]}),
    "Wall Clock": (35, {"style": ["modern", "classic"], "diameter": ["10in", "14in"]}),
    "Sunglasses": (70, {"frame": ["metal", "plastic"], "lens": ["polarized", "standard"]}),
    "Notebook": (12, {"size": ["A5", "A4"], "ruling": ["lined", "dotted", "blank"]}),
}
FIRST = ["Ava", "Liam", "Noah", "Emma", "Mia", "Lucas", "Sofia", "Ethan", "Yusuf", "Chloe",
         "Omar", "Isabel", "Mateo", "Priya", "Daniel", "Hana", "Aarav", "Lena", "Kofi", "Ines"]
LAST = ["Garcia", "Smith", "Nguyen", "Khan", "Rossi", "Silva", "Kim", "Johnson", "Muller",
        "Patel", "Lopez", "Brown", "Sato", "Ivanova", "Okafor", "Dubois", "Hansen", "Cohen"]
STREETS = ["Maple", "Oak", "Cedar", "Elm", "Pine", "Lake", "Hill", "River", "Park", "Sunset"]
CITIES = [("Austin", "TX"), ("Denver", "CO"), ("Portland", "OR"), ("Columbus", "OH"),
          ("Raleigh", "NC"), ("Tucson", "AZ"), ("Madison", "WI"), ("Boise", "ID")]


class Address(BaseModel):
    address1: str
    address2: str
    city: str
    state: str
    zip: str


class PaymentMethod(BaseModel):
    id: str
    source: Literal["credit_card", "gift_card", "paypal"]
    brand: str | None = None
    last_four: str | None = None
    balance: float | None = None  # gift cards only


class User(BaseModel):
    user_id: str
    first_name: str
    last_name: str
    email: str
    address: Address
    payment_methods: dict[str, PaymentMethod]
    orders: list[str]


class Variant(BaseModel):
    item_id: str
    options: dict[str, str]
    price: float
    available: bool


class Product(BaseModel):
    product_id: str
    name: str
    variants: dict[str, Variant]


class OrderItem(BaseModel):
    item_id: str
    product_id: str
    name: str
    options: dict[str, str]
    price: float


class Payment(BaseModel):
    kind: Literal["payment", "refund"]
    amount: float
    payment_method_id: str


class Order(BaseModel):
    order_id: str
    user_id: str
    status: OrderStatus
    items: list[OrderItem]
    address: Address
    payments: list[Payment]
    cancel_reason: str | None = None
    return_items: list[str] | None = None
    return_payment_method_id: str | None = None
    exchange_pairs: list[tuple[str, str]] | None = None  # (old item id, new item id), sorted
    exchange_payment_method_id: str | None = None
    exchange_price_difference: float | None = None

    @property
    def total(self) -> float:
        return round(sum(i.price for i in self.items), 2)


class Database(BaseModel):
    users: dict[str, User]
    orders: dict[str, Order]
    products: dict[str, Product]


def money(x: float) -> str:
    """Dollars as the store writes them: `1234.50`."""
    return f"{x:.2f}"


def describe_item(item: OrderItem | Variant, name: str) -> str:
    """`Desk Lamp (color: black, bulb: LED)`: how users and the agent name an item."""
    return f"{name} ({', '.join(f'{k}: {v}' for k, v in item.options.items())})"


def _new_id(rng: random.Random, taken: dict, fmt: str, digits: int) -> str:
    while True:
        key = fmt.format(rng.randrange(10 ** (digits - 1), 10 ** digits))
        if key not in taken:
            return key


def _products(rng: random.Random) -> dict[str, Product]:
    products: dict[str, Product] = {}
    items: dict[str, None] = {}
    for name, (base, opts) in CATALOG.items():
        pid = _new_id(rng, products, "{}", 10)
        variants = {}
        for combo in itertools.product(*opts.values()):
            iid = _new_id(rng, items, "{}", 10)
            items[iid] = None
            variants[iid] = Variant(item_id=iid, options=dict(zip(opts, combo)),
                                    price=round(base * rng.uniform(0.85, 1.25), 2),
                                    available=rng.random() < 0.8)
        products[pid] = Product(product_id=pid, name=name, variants=variants)
    return products


def _user(rng: random.Random, uid: str, first: str, last: str) -> User:
    city, state = rng.choice(CITIES)
    addr = Address(address1=f"{rng.randint(10, 9999)} {rng.choice(STREETS)} Street",
                   address2=f"Apt {rng.randint(1, 40)}", city=city, state=state,
                   zip=f"{rng.randint(10000, 99999)}")
    methods: dict[str, PaymentMethod] = {}
    for source in ["credit_card"] + rng.sample(["gift_card", "paypal"], rng.randint(0, 2)):
        pm_id = _new_id(rng, methods, source + "_{}", 7)
        methods[pm_id] = PaymentMethod(
            id=pm_id, source=source,
            brand=rng.choice(["visa", "mastercard"]) if source == "credit_card" else None,
            last_four=f"{rng.randint(0, 9999):04d}" if source == "credit_card" else None,
            balance=float(rng.randint(20, 300)) if source == "gift_card" else None)
    return User(user_id=uid, first_name=first, last_name=last,
                email=f"{first.lower()}.{last.lower()}{rng.randint(10, 99)}@example.com",
                address=addr, payment_methods=methods, orders=[])


def _order(rng: random.Random, oid: str, user: User, products: dict[str, Product]) -> Order:
    items = []
    for pid in rng.sample(sorted(products), rng.randint(1, 3)):  # distinct products per order
        p = products[pid]
        v = p.variants[rng.choice(sorted(p.variants))]
        items.append(OrderItem(item_id=v.item_id, product_id=pid, name=p.name,
                               options=v.options, price=v.price))
    status = rng.choice(["pending", "pending", "processed", "delivered", "delivered", "cancelled"])
    pm = rng.choice(sorted(user.payment_methods))
    total = round(sum(i.price for i in items), 2)
    payments = [Payment(kind="payment", amount=total, payment_method_id=pm)]
    order = Order(order_id=oid, user_id=user.user_id, status=status, items=items,
                  address=user.address.model_copy(), payments=payments)
    if status == "cancelled":
        order.payments.append(Payment(kind="refund", amount=total, payment_method_id=pm))
        order.cancel_reason = rng.choice(["no longer needed", "ordered by mistake"])
    return order


def generate_db(seed: int, n_users: int = 12) -> Database:
    """The whole store for `seed`: a pure function, so every replay sees the same data."""
    rng = random.Random(f"retail-db/{seed}")
    products = _products(rng)
    users: dict[str, User] = {}
    orders: dict[str, Order] = {}
    names = rng.sample([(f, la) for f in FIRST for la in LAST], n_users)
    for first, last in names:
        uid = _new_id(rng, users, f"{first.lower()}_{last.lower()}_{{}}", 4)
        users[uid] = _user(rng, uid, first, last)
        for _ in range(rng.randint(2, 5)):
            oid = _new_id(rng, orders, "#W{}", 7)
            orders[oid] = _order(rng, oid, users[uid], products)
            users[uid].orders.append(oid)
    return Database(users=users, orders=orders, products=products)
