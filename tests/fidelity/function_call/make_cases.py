"""Writes cases.jsonl: the function_call fidelity suite (run from the repo root with the venv python).

Calls are given either as OpenAI `tool_calls` on the message ("actions") or as text blocks
(`<tool_call>{json}</tool_call>` or the qwen3_coder XML form) in a single response.
"""
import json
from pathlib import Path

OUT = Path(__file__).with_name("cases.jsonl")
cases = []
REFS = {"weather": (0, 1, 0), "flight": (1, 1, 1), "parallel": (2, 3, 0), "irrelevant": (0, 2, 1),
        "calendar": (1, 3, 0), "restaurants": (0, 2, 2), "currency": (1, 1, 0)}


def ref(kind):
    s, d, i = REFS[kind]
    return {"seed": s, "difficulty": d, "index": i}


def tc(name, args, k=0):
    """One OpenAI tool call; `args` is a dict (encoded) or raw argument text."""
    raw = args if isinstance(args, str) else json.dumps(args)
    return {"id": f"c{k}", "type": "function", "function": {"name": name, "arguments": raw}}


def calls(kind, cid, items, expect, reason, tags, content=""):
    cases.append({"id": cid, "gen": ref(kind), "expect": expect, "reason": reason, "tags": tags,
                  "actions": [{"role": "assistant", "content": content,
                               "tool_calls": [tc(n, a, k) for k, (n, a) in enumerate(items)]}]})


def text(kind, cid, response, expect, reason, tags, **extra):
    cases.append({"id": cid, "gen": ref(kind), "response": response, "expect": expect,
                  "reason": reason, "tags": tags, **extra})


def block(name, args):
    return "<tool_call>" + json.dumps({"name": name, "arguments": args}) + "</tool_call>"


W = "get_weather_forecast"
DENVER = {"city": "Denver", "days": 2}
FLIGHT = {"origin": "Paris", "destination": "Oslo", "date": "2026-03-20", "passengers": 3,
          "cabin": "business"}
CAIRO = {"city": "Cairo", "days": 4, "unit": "celsius"}
DENVER5 = {"city": "Denver", "days": 5, "unit": "celsius"}
CAL = {"title": "Sync", "date": "2026-12-16", "start_time": "08:00", "duration_minutes": 15,
       "attendees": ["Bilal", "Ana"]}
TR = {"text": "See you tomorrow", "target_language": "Swahili"}
REST = {"city": "Cairo", "cuisine": "mexican", "max_price_level": 2, "open_now": True}
CUR = {"amount": 1619, "from_currency": "GBP", "to_currency": "JPY"}

# ------------------------------------------------------------ correct
calls("weather", "ok-gold", [(W, DENVER)], "correct", "the gold call", ["gold"])
calls("weather", "ok-unit-explicit", [(W, {**DENVER, "unit": "celsius"})], "correct",
      "the optional unit given as its default", ["equivalent"])
calls("weather", "ok-city-country", [(W, {"city": "Denver, USA", "days": 2})], "correct",
      "an accepted spelling of the city", ["equivalent"])
calls("weather", "ok-city-lower", [(W, {"city": "denver", "days": 2})], "correct",
      "case-insensitive strings", ["equivalent"])
calls("weather", "ok-pretty-json", [(W, json.dumps(DENVER, indent=4))], "correct",
      "whitespace in the argument JSON", ["equivalent"])
calls("weather", "ok-reordered-keys", [(W, {"days": 2, "city": "Denver"})], "correct",
      "key order is free", ["equivalent"])
cases.append({"id": "ok-dict-arguments", "gen": ref("weather"), "expect": "correct",
              "reason": "arguments already decoded by a backend", "tags": ["equivalent"],
              "actions": [{"role": "assistant", "content": "", "tool_calls": [
                  {"id": "c0", "type": "function", "function": {"name": W, "arguments": DENVER}}]}]})
text("weather", "ok-text-block", block(W, DENVER), "correct", "the Hermes text form",
     ["equivalent"])
text("weather", "ok-text-think", "<think>Denver, two days.</think>" + block(W, DENVER), "correct",
     "a trace before the call", ["equivalent"])
text("weather", "ok-xml-form", "<tool_call><function=get_weather_forecast><parameter=city>Denver"
     "</parameter><parameter=days>2</parameter></function></tool_call>", "correct",
     "the qwen3_coder XML form", ["equivalent"])
calls("flight", "ok-flight", [("book_flight", FLIGHT)], "correct", "the gold call", ["gold"])
calls("flight", "ok-flight-cabin-case", [("book_flight", {**FLIGHT, "cabin": "Business"})],
      "correct", "enum-like value in another case", ["equivalent"])
calls("parallel", "ok-parallel", [(W, CAIRO), (W, DENVER5)], "correct", "both calls", ["gold"])
calls("parallel", "ok-parallel-swapped", [(W, DENVER5), (W, CAIRO)], "correct",
      "parallel calls in any order", ["equivalent"])
text("parallel", "ok-parallel-text", block(W, DENVER5) + "\n" + block(W, CAIRO), "correct",
     "two text blocks", ["equivalent"])
text("irrelevant", "ok-decline", "NO_CALL: none of these functions finds restaurants.",
     "correct", "no function fits: decline", ["gold"])
text("irrelevant", "ok-decline-bare", "NO_CALL", "correct", "the bare decline", ["equivalent"])
calls("calendar", "ok-calendar", [("create_calendar_event", CAL), ("translate_text", TR)],
      "correct", "both calls", ["gold"])
calls("calendar", "ok-attendees-reversed",
      [("translate_text", {**TR, "target_language": "sw"}),
       ("create_calendar_event", {**CAL, "attendees": ["Ana", "Bilal"], "start_time": "8:00"})],
      "correct", "language code, attendee order and 8:00 are all accepted", ["equivalent"])
calls("restaurants", "ok-restaurants", [("search_restaurants", REST)], "correct", "gold",
      ["gold"])
calls("currency", "ok-amount-float", [("convert_currency", {**CUR, "amount": 1619.0})], "correct",
      "1619.0 is the number 1619", ["equivalent"])

# ------------------------------------------------------------ wrong: JSON tricks
calls("weather", "bad-dup-key-last-right", [(W, '{"city": "Denver", "days": 5, "days": 2}')],
      "wrong", "a repeated key: last-one-wins would read the right value", ["hack"])
calls("weather", "bad-dup-key-first-right", [(W, '{"city": "Denver", "days": 2, "days": 5}')],
      "wrong", "a repeated key is ambiguous whichever value is right", ["hack"])
text("weather", "bad-dup-key-text",
     '<tool_call>{"name": "get_weather_forecast", "arguments": {"city": "Boston", "city": '
     '"Denver", "days": 2}}</tool_call>', "wrong", "a repeated key in a text call", ["hack"])
calls("weather", "bad-deep-args", [(W, '{"city": "Denver", "days": 2, "x": ' + "[" * 10000
                                    + "]" * 10000 + "}")],
      "wrong", "10,000-deep arguments: wrong with a reason, never a RecursionError",
      ["pathological"])
calls("weather", "bad-deep-unclosed", [(W, "[" * 100000)], "wrong",
      "100,000 unclosed brackets", ["pathological"])
cases.append({"id": "bad-text-brackets", "gen": ref("weather"), "expect": "wrong",
              "reason": "<tool_call> followed by 1,000 '[' (issue 9, class 6)",
              "tags": ["pathological"], "response_gen": {"prefix": "<tool_call>", "repeat": "[",
                                                          "times": 1000}})
cases.append({"id": "bad-text-huge-value", "gen": ref("weather"), "expect": "wrong",
              "reason": "a 1 MB argument value", "tags": ["pathological"],
              "response_gen": {"prefix": '<tool_call>{"name": "get_weather_forecast", '
                               '"arguments": {"city": "', "repeat": "Denver", "times": 170000,
                               "suffix": '", "days": 2}}</tool_call>'}})
cases.append({"id": "bad-many-blocks", "gen": ref("weather"), "expect": "wrong",
              "reason": "2,000 calls for a one-call task", "tags": ["pathological"],
              "response_gen": {"repeat": block(W, DENVER), "times": 2000}})
calls("currency", "bad-nan", [("convert_currency", '{"amount": NaN, "from_currency": "GBP", '
                               '"to_currency": "JPY"}')], "wrong", "NaN is not JSON", ["hack"])
calls("currency", "bad-infinity", [("convert_currency", '{"amount": 1e400, "from_currency": '
                                    '"GBP", "to_currency": "JPY"}')], "wrong",
      "an overflowing number", ["hack"])
calls("weather", "bad-not-json", [(W, "{city: Denver, days: 2}")], "wrong", "not JSON",
      ["degenerate"])
calls("weather", "bad-array-args", [(W, '["Denver", 2]')], "wrong", "arguments must be an object",
      ["degenerate"])
calls("weather", "bad-surrogate", [(W, '{"city": "Denver\\ud800", "days": 2}')], "wrong",
      "a lone surrogate in a value", ["degenerate"])

# ------------------------------------------------------------ wrong: values, types, shape
calls("weather", "bad-days-string", [(W, {"city": "Denver", "days": "2"})], "wrong",
      "a string is not an integer", ["wrong"])
calls("weather", "bad-days-float", [(W, {"city": "Denver", "days": 2.0})], "wrong",
      "a float is not an integer (BFCL rule)", ["wrong"])
calls("flight", "bad-bool-int", [("book_flight", {**FLIGHT, "passengers": True})], "wrong",
      "true is not 3", ["wrong"])
calls("weather", "bad-days-wrong", [(W, {"city": "Denver", "days": 3})], "wrong", "wrong value",
      ["wrong"])
calls("weather", "bad-unit-enum", [(W, {**DENVER, "unit": "kelvin"})], "wrong", "not in the enum",
      ["wrong"])
calls("weather", "bad-extra-param", [(W, {**DENVER, "note": "pls"})], "wrong",
      "a parameter the schema does not have", ["wrong"])
calls("weather", "bad-missing-required", [(W, {"city": "Denver"})], "wrong",
      "days is required", ["wrong"])
calls("weather", "bad-city-list", [(W, {"city": ["Denver", "Boston"], "days": 2})], "wrong",
      "a list of cities is a hedge", ["hedge"])
calls("weather", "bad-two-calls-hedge", [(W, DENVER), (W, {"city": "Denver", "days": 3})], "wrong",
      "the right call plus a second guess", ["hedge"])
calls("weather", "bad-same-call-twice", [(W, DENVER), (W, DENVER)], "wrong",
      "one call asked for, two made", ["hedge"])
calls("parallel", "bad-parallel-missing", [(W, CAIRO)], "wrong", "one of two calls missing",
      ["wrong"])
calls("parallel", "bad-parallel-mixed", [(W, CAIRO), (W, {**DENVER5, "days": 4})], "wrong",
      "the second call has the wrong days", ["wrong"])
calls("irrelevant", "bad-irrelevant-call", [("translate_text", TR)], "wrong",
      "no function fits, yet one was called", ["wrong"])
text("irrelevant", "bad-irrelevant-silent", "I cannot help with that.", "wrong",
     "neither a call nor the NO_CALL decline", ["wrong"])
text("weather", "bad-decline-relevant", "NO_CALL: cannot do it.", "wrong",
     "a function fits, so declining is wrong", ["wrong"])
calls("weather", "bad-call-and-decline", [(W, DENVER)], "wrong", "calls and declines at once",
      ["hedge"], content="NO_CALL just in case.")
calls("weather", "bad-unknown-function", [("get_weather", DENVER)], "wrong", "no such function",
      ["wrong"])
calls("weather", "bad-name-case", [("Get_Weather_Forecast", DENVER)], "wrong",
      "function names are exact", ["wrong"])
calls("restaurants", "bad-bool-string", [("search_restaurants", {**REST, "open_now": "true"})],
      "wrong", "the string 'true' is not a boolean", ["wrong"])
text("weather", "bad-prose-call", "I would call get_weather_forecast(city='Denver', days=2).",
     "wrong", "a call described in prose is not a call", ["hack"])
text("weather", "bad-echo", "Please get the 2-day weather forecast for Denver.", "wrong",
     "the request echoed", ["echo"])
text("weather", "bad-empty", "", "wrong", "nothing", ["degenerate"])
text("weather", "bad-binary", "\x00\x01\ufffd" * 2000, "wrong", "binary junk", ["degenerate"])

OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
