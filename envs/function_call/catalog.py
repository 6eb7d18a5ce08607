"""A catalog of callable APIs: each has an OpenAI schema and a writer of requests for it.

A writer draws the argument values from `rng` and returns the request in words together with
the BFCL-style gold `{param: [acceptable values]}`; `""` among them means "may be left out".
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

CITIES = [("Paris", "France"), ("Osaka", "Japan"), ("Lima", "Peru"), ("Oslo", "Norway"),
          ("Nairobi", "Kenya"), ("Toronto", "Canada"), ("Porto", "Portugal"),
          ("Hanoi", "Vietnam"), ("Denver", "USA"), ("Krakow", "Poland"), ("Cairo", "Egypt"),
          ("Perth", "Australia")]
CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CHF", "CAD", "INR", "BRL"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CUISINES = ["thai", "italian", "ethiopian", "mexican", "korean", "lebanese", "vegan"]
PEOPLE = ["Ana", "Bilal", "Chen", "Dara", "Elif", "Femi", "Greta", "Hugo"]
LANGUAGES = [("Spanish", "es"), ("German", "de"), ("Japanese", "ja"), ("Swahili", "sw")]
PHRASES = ["Good morning", "Where is the station?", "Thank you very much", "See you tomorrow"]
TICKERS = [("AAPL", "NASDAQ"), ("MSFT", "NASDAQ"), ("KO", "NYSE"), ("IBM", "NYSE")]


def _fn(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {"type": "function", "function": {"name": name, "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required}}}


def _s(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


Request = tuple[str, dict[str, list]]  # words, gold params


def _or_default(value: str | None, default: str) -> list:
    """Acceptable values of an optional enum: the asked one; leaving it out is fine when the
    request asked for nothing or for the schema's default."""
    if value is None:
        return [default, ""]
    return [value, ""] if value == default else [value]


@dataclass(frozen=True)
class Api:
    schema: dict
    write: Callable[[random.Random], Request]

    @property
    def name(self) -> str:
        return self.schema["function"]["name"]


def _weather(rng: random.Random) -> Request:
    (city, country), days = rng.choice(CITIES), rng.randint(1, 7)
    unit = rng.choice(["celsius", "fahrenheit", None])
    words = f"get the {days}-day weather forecast for {city}" + (f" in {unit}" if unit else "")
    return words, {"city": [city, f"{city}, {country}"], "days": [days],
                   "unit": _or_default(unit, "celsius")}


def _currency(rng: random.Random) -> Request:
    src, dst = rng.sample(CURRENCIES, 2)
    amount = rng.choice([rng.randint(5, 5000), round(rng.uniform(1, 900), 2)])
    return f"convert {amount} {src} to {dst}", {
        "amount": [amount], "from_currency": [src], "to_currency": [dst]}


def _flight(rng: random.Random) -> Request:
    (a, _), (b, _) = rng.sample(CITIES, 2)
    month, day, n = rng.randint(1, 12), rng.randint(1, 28), rng.randint(1, 4)
    cabin = rng.choice(["economy", "business", "first", None])
    words = (f"book a flight from {a} to {b} on {MONTHS[month - 1]} {day}, 2026 for {n} "
             f"passenger{'s' if n > 1 else ''}" + (f" in {cabin} class" if cabin else ""))
    return words, {"origin": [a], "destination": [b], "date": [f"2026-{month:02d}-{day:02d}"],
                   "passengers": [n] if n > 1 else [1, ""],
                   "cabin": _or_default(cabin, "economy")}


def _loan(rng: random.Random) -> Request:
    principal, rate, years = rng.randrange(5000, 400000, 500), rng.choice(
        [3.5, 4.25, 5, 6.1, 7.75]), rng.choice([5, 10, 15, 20, 30])
    return (f"work out the monthly payment on a {principal} dollar loan at {rate}% a year "
            f"over {years} years"), {"principal": [principal], "annual_rate_percent": [rate],
                                     "years": [years]}


def _restaurants(rng: random.Random) -> Request:
    (city, country), cuisine, price = rng.choice(CITIES), rng.choice(CUISINES), rng.randint(1, 4)
    open_now = rng.random() < 0.5
    words = (f"find {cuisine} restaurants in {city} with a price level of at most {price}"
             + (" that are open right now" if open_now else ""))
    return words, {"city": [city, f"{city}, {country}"], "cuisine": [cuisine],
                   "max_price_level": [price], "open_now": [True] if open_now else [False, ""]}


def _translate(rng: random.Random) -> Request:
    phrase, (lang, code) = rng.choice(PHRASES), rng.choice(LANGUAGES)
    return f'translate "{phrase}" into {lang}', {"text": [phrase],
                                                  "target_language": [lang, code]}


def _meeting(rng: random.Random) -> Request:
    who = rng.sample(PEOPLE, 2)
    month, day, hour = rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 17)
    minutes = rng.choice([15, 30, 45, 60, 90])
    words = (f"schedule a {minutes}-minute meeting called \"Sync\" with {who[0]} and {who[1]} "
             f"on {MONTHS[month - 1]} {day}, 2026 at {hour}:00")
    return words, {"title": ["Sync"], "date": [f"2026-{month:02d}-{day:02d}"],
                   "start_time": [f"{hour:02d}:00", f"{hour}:00"],
                   "duration_minutes": [minutes], "attendees": [who, who[::-1]]}


def _stock(rng: random.Random) -> Request:
    symbol, exchange = rng.choice(TICKERS)
    named = rng.random() < 0.5
    words = f"get the latest stock price of {symbol}" + (f" on the {exchange}" if named else "")
    return words, {"symbol": [symbol],
                   "exchange": _or_default(exchange, "NASDAQ") if named else [exchange, ""]}


_DATE = "date as YYYY-MM-DD"
CATALOG: list[Api] = [
    Api(_fn("get_weather_forecast", "Daily weather forecast for a city.", {
        "city": _s("city name, e.g. 'Paris'"),
        "days": {"type": "integer", "description": "number of days, 1 to 7"},
        "unit": _s("temperature unit", enum=["celsius", "fahrenheit"], default="celsius")},
        ["city", "days"]), _weather),
    Api(_fn("convert_currency", "Convert an amount of money between currencies.", {
        "amount": {"type": "number", "description": "amount in the source currency"},
        "from_currency": _s("ISO 4217 code of the source currency, e.g. 'USD'"),
        "to_currency": _s("ISO 4217 code of the target currency")},
        ["amount", "from_currency", "to_currency"]), _currency),
    Api(_fn("book_flight", "Book a one-way flight.", {
        "origin": _s("departure city"), "destination": _s("arrival city"), "date": _s(_DATE),
        "passengers": {"type": "integer", "description": "number of passengers", "default": 1},
        "cabin": _s("cabin class", enum=["economy", "premium", "business", "first"],
                    default="economy")}, ["origin", "destination", "date"]), _flight),
    Api(_fn("calculate_loan_payment", "Monthly payment of a fixed-rate loan.", {
        "principal": {"type": "number", "description": "amount borrowed in dollars"},
        "annual_rate_percent": {"type": "number", "description": "yearly interest, e.g. 5.5"},
        "years": {"type": "integer", "description": "term in years"}},
        ["principal", "annual_rate_percent", "years"]), _loan),
    Api(_fn("search_restaurants", "Find restaurants in a city.", {
        "city": _s("city name"), "cuisine": _s("kind of food, e.g. 'thai'"),
        "max_price_level": {"type": "integer", "description": "1 (cheap) to 4 (expensive)"},
        "open_now": {"type": "boolean", "description": "only places open now", "default": False}},
        ["city", "cuisine"]), _restaurants),
    Api(_fn("translate_text", "Translate text into another language.", {
        "text": _s("text to translate"),
        "target_language": _s("language to translate into, e.g. 'French'")},
        ["text", "target_language"]), _translate),
    Api(_fn("create_calendar_event", "Add an event to the user's calendar.", {
        "title": _s("event title"), "date": _s(_DATE), "start_time": _s("24-hour HH:MM"),
        "duration_minutes": {"type": "integer", "description": "length in minutes"},
        "attendees": {"type": "array", "items": {"type": "string"}, "description": "names"}},
        ["title", "date", "start_time"]), _meeting),
    Api(_fn("get_stock_price", "Latest trading price of a stock.", {
        "symbol": _s("ticker symbol, e.g. 'AAPL'"),
        "exchange": _s("stock exchange", enum=["NASDAQ", "NYSE"], default="NASDAQ")},
        ["symbol"]), _stock),
]
