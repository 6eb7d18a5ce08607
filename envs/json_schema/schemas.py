"""Procedural JSON Schemas with a conforming instance: the `json_schema` env's generator.

A record type (order, flight booking, ...) is a list of named fields; each field kind knows
its schema fragment and how to draw a valid value, so the gold instance is valid by
construction (and the env re-validates it with jsonschema anyway).
"""
from __future__ import annotations

import random
import re
from typing import Any

WORDS = ("amber", "basil", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
         "juniper", "kestrel", "lumen", "maple", "nimbus", "onyx", "pepper", "quartz", "river")
NAMES = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson", "Edsger Dijkstra",
         "Barbara Liskov", "Donald Knuth", "Frances Allen", "John Backus", "Radia Perlman")
CITIES = ("Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Hobart", "Porto", "Accra")

# name -> kind. Kinds: ("code", template) with # digit, A upper, a lower, h hex;
# ("enum", values); ("int", lo, hi); ("num", lo, hi); ("bool",); ("text", min, max);
# ("name",); ("city",); ("date",); ("email",); ("object", type); ("array", item, lo, hi).
FIELDS: dict[str, tuple] = {
    "order_id": ("code", "ORD-#####"), "sku": ("code", "AA-###"),
    "booking_ref": ("code", "AAAAAA"), "flight_no": ("code", "AA###"),
    "device_id": ("code", "dev-hhhhhh"), "employee_id": ("code", "E######"),
    "postcode": ("code", "#####"), "firmware": ("code", "#.#.#"),
    "status": ("enum", ["pending", "shipped", "delivered", "cancelled"]),
    "tier": ("enum", ["bronze", "silver", "gold", "platinum"]),
    "cabin": ("enum", ["economy", "premium", "business", "first"]),
    "department": ("enum", ["research", "sales", "support", "finance", "legal"]),
    "difficulty": ("enum", ["easy", "medium", "hard"]),
    "metric": ("enum", ["temperature", "humidity", "pressure", "co2"]),
    "unit": ("enum", ["g", "ml", "tsp", "tbsp", "cup", "piece"]),
    "country": ("enum", ["PT", "KE", "JP", "EC", "EE", "AU", "GH"]),
    "quantity": ("int", 1, 99), "servings": ("int", 1, 12), "checked_bags": ("int", 0, 3),
    "level": ("int", 1, 8), "amount": ("num", 0.5, 500.0), "unit_price": ("num", 0.01, 999.99),
    "total": ("num", 0.0, 99999.0), "value": ("num", -40.0, 2000.0),
    "lat": ("num", -90.0, 90.0), "lon": ("num", -180.0, 180.0),
    "gift": ("bool",), "paid": ("bool",), "vegetarian": ("bool",), "remote": ("bool",),
    "frequent_flyer": ("bool",), "notes": ("text", 3, 80), "title": ("text", 3, 60),
    "street": ("text", 5, 60), "name": ("name",), "city": ("city",), "origin": ("city",),
    "destination": ("city",), "placed_on": ("date",), "birth_date": ("date",),
    "start_date": ("date",), "date": ("date",), "email": ("email",),
    "customer": ("object", "customer"), "address": ("object", "address"),
    "passenger": ("object", "passenger"), "location": ("object", "location"),
    "manager": ("object", "manager"),
    "items": ("array", ("object", "line_item"), 1, 5),
    "segments": ("array", ("object", "segment"), 1, 4),
    "readings": ("array", ("object", "reading"), 1, 6),
    "ingredients": ("array", ("object", "ingredient"), 2, 8),
    "tags": ("array", ("enum", ["quick", "spicy", "vegan", "classic", "budget", "festive"]), 1, 3),
    "skills": ("array", ("enum", ["python", "sql", "rust", "design", "writing", "ops"]), 1, 4),
}
TYPES: dict[str, list[str]] = {
    "order": ["order_id", "status", "customer", "items", "total", "placed_on", "gift", "notes"],
    "flight_booking": ["booking_ref", "passenger", "segments", "cabin", "checked_bags", "paid"],
    "sensor_report": ["device_id", "location", "readings", "status", "firmware"],
    "recipe": ["title", "servings", "difficulty", "ingredients", "tags", "vegetarian"],
    "employee": ["employee_id", "name", "department", "level", "manager", "skills",
                 "start_date", "remote"],
    "customer": ["name", "email", "tier", "address"],
    "address": ["street", "city", "postcode", "country"],
    "passenger": ["name", "email", "birth_date", "frequent_flyer"],
    "location": ["city", "lat", "lon"], "manager": ["name", "email"],
    "line_item": ["sku", "quantity", "unit_price"],
    "segment": ["flight_no", "origin", "destination", "date"],
    "reading": ["metric", "value"], "ingredient": ["name", "amount", "unit"],
}
ROOTS = ("order", "flight_booking", "sensor_report", "recipe", "employee")


def _template_regex(template: str) -> str:
    cls = {"#": "[0-9]", "A": "[A-Z]", "a": "[a-z]", "h": "[0-9a-f]"}
    return "^" + "".join(cls.get(c, re.escape(c)) for c in template) + "$"


def _fill_template(rng: random.Random, template: str) -> str:
    pools = {"#": "0123456789", "A": "ABCDEFGHJKLMNPQRSTUVWXYZ", "a": "abcdefghijkmnpqrstuvwxyz",
             "h": "0123456789abcdef"}
    return "".join(rng.choice(pools[c]) if c in pools else c for c in template)


def _nested(kind: tuple) -> bool:
    return kind[0] == "object" or (kind[0] == "array" and kind[1][0] == "object")


class SchemaBuilder:
    """Draws a schema of bounded depth for one record type, with a conforming instance."""

    def __init__(self, rng: random.Random, depth: int, optional_rate: float):
        self.rng, self.depth, self.optional_rate = rng, depth, optional_rate

    def object(self, type_name: str, depth: int) -> tuple[dict, dict]:
        props, value, required = {}, {}, []
        for field in TYPES[type_name]:
            kind = FIELDS[field]
            if _nested(kind) and depth >= self.depth:
                continue  # the depth knob: nested fields only while depth remains
            props[field], v = self.kind(kind, depth)
            if self.rng.random() >= self.optional_rate:
                required.append(field)
                value[field] = v
            elif self.rng.random() < 0.5:
                value[field] = v  # optional fields are sometimes present in the gold
        schema = {"type": "object", "properties": props, "required": required,
                  "additionalProperties": False}
        return schema, value

    def kind(self, kind: tuple, depth: int) -> tuple[dict, Any]:
        rng, tag = self.rng, kind[0]
        if tag == "code":
            return {"type": "string", "pattern": _template_regex(kind[1])}, _fill_template(
                rng, kind[1])
        if tag == "enum":
            return {"type": "string", "enum": list(kind[1])}, rng.choice(kind[1])
        if tag == "int":
            return {"type": "integer", "minimum": kind[1], "maximum": kind[2]}, rng.randint(
                kind[1], kind[2])
        if tag == "num":
            return ({"type": "number", "minimum": kind[1], "maximum": kind[2]},
                    round(rng.uniform(kind[1], kind[2]), 2))
        if tag == "bool":
            return {"type": "boolean"}, rng.random() < 0.5
        if tag == "text":
            words = " ".join(rng.sample(WORDS, rng.randint(1, 3))).capitalize()
            return {"type": "string", "minLength": kind[1], "maxLength": kind[2]}, words
        if tag == "name":
            return {"type": "string", "minLength": 1}, rng.choice(NAMES)
        if tag == "city":
            return {"type": "string", "minLength": 1}, rng.choice(CITIES)
        if tag == "date":
            return {"type": "string", "format": "date"}, (
                f"{rng.randint(1960, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        if tag == "email":
            user = f"{rng.choice(WORDS)}.{rng.randint(1, 999)}"
            return {"type": "string", "format": "email", "pattern": r"^[^@\s]+@[^@\s]+\.[a-z]+$"}, (
                f"{user}@example.org")
        if tag == "object":
            return self.object(kind[1], depth + 1)
        return self.array(kind, depth)

    def array(self, kind: tuple, depth: int) -> tuple[dict, list]:
        item_kind, lo, hi = kind[1], kind[2], kind[3]
        n = self.rng.randint(lo, min(hi, lo + 2))
        if item_kind[0] == "enum":  # arrays of labels: distinct, so uniqueItems holds
            values = self.rng.sample(item_kind[1], n)
            return ({"type": "array", "items": {"type": "string", "enum": list(item_kind[1])},
                     "minItems": lo, "maxItems": hi, "uniqueItems": True}, values)
        # Array items have every field required, so each draw yields the same item schema.
        rate, self.optional_rate = self.optional_rate, 0.0
        drawn = [self.kind(item_kind, depth) for _ in range(n)]
        self.optional_rate = rate
        return ({"type": "array", "items": drawn[0][0], "minItems": lo, "maxItems": hi},
                [v for _, v in drawn])


def leaves(value: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """(pointer, scalar) pairs of an instance, depth first."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, f"{pointer}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, f"{pointer}/{i}")]
    return [(pointer, value)]


def dotted(pointer: str) -> str:
    """`/items/1/sku` -> `items[1].sku`: how a path is shown to the model."""
    out = ""
    for part in pointer.strip("/").split("/"):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out
