"""Unit conversion over a table of units, each with a dimension and a factor to the SI unit.

Temperatures are affine (an offset as well as a factor), so they convert through kelvin.
Exact factors from the international definitions (1 in = 2.54 cm, 1 lb = 0.45359237 kg, ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str
    dimension: str
    factor: float  # SI value of one unit
    offset: float = 0.0  # SI value of the unit's zero (temperatures only)


_INCH = 0.0254
_FOOT = 12 * _INCH
_MILE = 5280 * _FOOT
_GALLON = 231 * _INCH ** 3  # US liquid gallon
_POUND = 0.45359237

_TABLE: list[tuple[str, str, float, tuple[str, ...]]] = [
    # name, dimension, SI factor, aliases
    ("m", "length", 1.0, ("meter", "meters", "metre", "metres")),
    ("km", "length", 1000.0, ("kilometer", "kilometers", "kilometre", "kilometres")),
    ("cm", "length", 0.01, ("centimeter", "centimeters", "centimetre", "centimetres")),
    ("mm", "length", 0.001, ("millimeter", "millimeters", "millimetre", "millimetres")),
    ("in", "length", _INCH, ("inch", "inches")),
    ("ft", "length", _FOOT, ("foot", "feet")),
    ("yd", "length", 3 * _FOOT, ("yard", "yards")),
    ("mi", "length", _MILE, ("mile", "miles")),
    ("nmi", "length", 1852.0, ("nautical mile", "nautical miles")),
    ("kg", "mass", 1.0, ("kilogram", "kilograms")),
    ("g", "mass", 0.001, ("gram", "grams")),
    ("mg", "mass", 1e-6, ("milligram", "milligrams")),
    ("t", "mass", 1000.0, ("tonne", "tonnes", "metric ton")),
    ("lb", "mass", _POUND, ("lbs", "pound", "pounds")),
    ("oz", "mass", _POUND / 16, ("ounce", "ounces")),
    ("s", "time", 1.0, ("sec", "second", "seconds")),
    ("min", "time", 60.0, ("minute", "minutes")),
    ("h", "time", 3600.0, ("hr", "hour", "hours")),
    ("day", "time", 86400.0, ("d", "days")),
    ("week", "time", 604800.0, ("weeks",)),
    ("l", "volume", 0.001, ("liter", "liters", "litre", "litres")),
    ("ml", "volume", 1e-6, ("milliliter", "milliliters", "millilitre", "millilitres")),
    ("m3", "volume", 1.0, ("m^3", "cubic meter", "cubic meters")),
    ("gal", "volume", _GALLON, ("gallon", "gallons")),
    ("qt", "volume", _GALLON / 4, ("quart", "quarts")),
    ("cup", "volume", _GALLON / 16, ("cups",)),
    ("floz", "volume", _GALLON / 128, ("fl oz", "fluid ounce", "fluid ounces")),
    ("m2", "area", 1.0, ("m^2", "square meter", "square meters", "sq m")),
    ("km2", "area", 1e6, ("km^2", "square kilometer", "square kilometers")),
    ("ft2", "area", _FOOT ** 2, ("ft^2", "square foot", "square feet", "sq ft")),
    ("acre", "area", 4046.8564224, ("acres",)),
    ("ha", "area", 1e4, ("hectare", "hectares")),
    ("m/s", "speed", 1.0, ("meters per second",)),
    ("km/h", "speed", 1000 / 3600, ("kph", "kmh", "kilometers per hour")),
    ("mph", "speed", _MILE / 3600, ("mi/h", "miles per hour")),
    ("knot", "speed", 1852 / 3600, ("knots", "kn")),
    ("J", "energy", 1.0, ("joule", "joules")),
    ("kJ", "energy", 1000.0, ("kilojoule", "kilojoules")),
    ("cal", "energy", 4.184, ("calorie", "calories")),
    ("kcal", "energy", 4184.0, ("kilocalorie", "kilocalories")),
    ("kWh", "energy", 3.6e6, ("kilowatt hour", "kilowatt hours")),
]

UNITS: dict[str, Unit] = {}
_ALIASES: dict[str, str] = {}
for _name, _dim, _factor, _aliases in _TABLE:
    UNITS[_name] = Unit(_name, _dim, _factor)
    for _a in (_name, *_aliases):
        _ALIASES[_a.lower()] = _name
for _name, _offset, _factor, _aliases in [("K", 0.0, 1.0, ("kelvin",)),
                                          ("C", 273.15, 1.0, ("°c", "celsius", "degc")),
                                          ("F", 459.67 * 5 / 9, 5 / 9, ("°f", "fahrenheit", "degf"))]:
    UNITS[_name] = Unit(_name, "temperature", _factor, _offset)
    for _a in (_name, *_aliases):
        _ALIASES[_a.lower()] = _name


class UnitError(ValueError):
    """A conversion the table cannot do, with a one-line reason for the model."""


def lookup(unit: str) -> Unit:
    """A unit by its symbol or name (case-insensitive): `km`, `kilometres`, `°F`."""
    key = " ".join(unit.strip().lower().split())
    if key not in _ALIASES:
        raise UnitError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}")
    return UNITS[_ALIASES[key]]


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """`value` in `from_unit`, expressed in `to_unit`."""
    src, dst = lookup(from_unit), lookup(to_unit)
    if src.dimension != dst.dimension:
        raise UnitError(f"cannot convert {src.name} ({src.dimension}) to "
                        f"{dst.name} ({dst.dimension}): incompatible dimensions")
    si = value * src.factor + src.offset
    return (si - dst.offset) / dst.factor


_CURRENCIES = {"dollars": {"$", "usd", "us$", "dollar", "dollars", "us dollars", "usd dollars"}}
_GENERIC = {"unit", "units"}  # a placeholder, not a claim about the quantity


def _canonical(unit: str) -> str | None:
    """The table name of a written unit (`Kilometres` -> km, `mins` -> min, `degrees F` -> F,
    `km per hour` -> km/h), or None when it is not one unit of the table."""
    key = " ".join(unit.lower().replace("° ", "°").split()).strip(" .")
    key = re.sub(r"^(?:degrees?|deg)\s+", "", key)
    for k in (key, key[:-1] if key.endswith("s") else None):
        if k and k in _ALIASES:
            return _ALIASES[k]
    parts = re.split(r"\s*/\s*|\s+per\s+", key)
    if len(parts) == 2:
        a, b = _canonical(parts[0]), _canonical(parts[1])
        if a and b:
            return _ALIASES.get(f"{a}/{b}".lower())
    return None


def unit_matches(asked: str, written: str) -> bool:
    """Is `written` (the unit after a number in an answer) the unit `asked` for? Spellings
    and plurals of the same unit are; another unit, even of the same dimension, is not."""
    w = " ".join(written.lower().split()).strip(" .")
    if w in _GENERIC:
        return True
    a = asked.strip().lower()
    if a in _CURRENCIES:
        return w in _CURRENCIES[a]
    want = _canonical(asked)
    return want is not None and _canonical(written) == want
