"""Workplace requests: the user's instruction, the gold steps (tool calls and confirmation
questions), the facts the user must be told, and what each sent email must say.

A template reads a generated database and returns a `Plan`, or None when this database has
nothing that fits (the generator then draws again). Levels: 1 = one lookup and at most one
write; 2 = several lookups and one to a few writes, people named by role, destructive
writes that need a confirmation; 3 = two level-2 requests in one message.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .db import DAY_NAME, DAYS, MEETINGS, OPEN, first_free, hhmm, hour_of

NEW_TITLES = ["Project kickoff", "Contract walkthrough", "Intro chat", "Budget deep dive",
              "Partner sync", "Migration planning"]
TASK_TITLES = ["Cover open tickets", "Reschedule client demo", "Forward vendor quotes",
               "Share meeting notes", "Update the team roster"]


@dataclass
class Plan:
    """One request: its text, gold steps, facts to tell, emails to send, extra allowed values."""

    request: str
    steps: list[tuple[str, Any]]  # ("call", (name, kwargs)) | ("say", text)
    final: str
    required: list[dict] = field(default_factory=list)
    emails: list[dict] = field(default_factory=list)
    allowed: dict[str, list[str]] = field(default_factory=dict)
    after: str = "9999"  # a date the request's outcome depends on the calendar from
    kinds: list[str] = field(default_factory=list)  # template names, for Task.meta
    lists: dict[str, list[list[str]]] = field(default_factory=dict)  # may be listed together


def _day(date: str) -> str:
    return f"{DAY_NAME[date]} {date}"


def _mine(db: dict) -> list[dict]:
    me = db["people"][db["me"]]["email"]
    return [e for e in db["events"].values() if me in e["attendees"] and e["status"] == "confirmed"]


def _names(db: dict, emails: list[str]) -> list[str]:
    by_email = {p["email"]: p["name"] for p in db["people"].values()}
    return [by_email[e] for e in emails]


def schedule(rng: random.Random, db: dict) -> Plan | None:
    me = db["people"][db["me"]]
    p = db["people"][rng.choice([k for k in db["people"] if k != db["me"]])]
    date = rng.choice(list(DAYS.values()))
    hour = rng.randrange(OPEN, 17)
    if first_free(db, [me["email"], p["email"]], date, hour) != (date, hour):
        return None
    title = rng.choice(NEW_TITLES)
    return Plan(f"Schedule a one-hour meeting called '{title}' with {p['name']} on "
                f"{DAY_NAME[date]} at {hhmm(hour)}.",
                [("call", ("search_people", {"query": p["name"]})),
                 ("call", ("create_event", {"title": title, "date": date, "start": hhmm(hour),
                                            "attendee_emails": [p["email"]]}))],
                f"Done: '{title}' with {p['name']} is on your calendar.")


def complete(rng: random.Random, db: dict) -> Plan | None:
    me = db["people"][db["me"]]["email"]
    open_ = [t for t in db["tasks"].values() if t["assignee"] == me and t["status"] == "open"]
    if not open_:
        return None
    t = rng.choice(open_)
    return Plan(f"I finished '{t['title']}'. Please mark it as done.",
                [("call", ("list_tasks", {"status": "open"})),
                 ("call", ("complete_task", {"task_id": t["id"]}))],
                f"Marked '{t['title']}' as done.")


def when(rng: random.Random, db: dict) -> Plan | None:
    evs = [e for e in _mine(db) if e["title"] in MEETINGS
           and sum(x["title"] == e["title"] for x in _mine(db)) == 1]
    if not evs:
        return None
    e = rng.choice(evs)
    me = db["people"][db["me"]]["email"]
    others = _names(db, [a for a in e["attendees"] if a != me])
    facts = [{"kind": "date", "value": e["date"]}, {"kind": "time", "value": e["start"]}]
    facts += [{"kind": "name", "value": n} for n in others]
    return Plan(f"When is my '{e['title']}' meeting this week, and who else is attending?",
                [("call", ("search_events", {"query": e["title"]}))],
                f"'{e['title']}' is on {_day(e['date'])} at {e['start']}. The other attendees: "
                f"{', '.join(others)}.", facts)


def move_after_offsite(rng: random.Random, db: dict) -> Plan | None:
    me = db["people"][db["me"]]
    offsites = {e["title"][:-len(" offsite")]: e for e in db["events"].values()
                if e["title"].endswith(" offsite")}
    cands = []
    for dept, pid in sorted(db["heads"].items()):
        head = db["people"][pid]
        one = [e for e in _mine(db) if e["title"].startswith("1:1 ") and head["email"] in e["attendees"]]
        if dept in offsites and one:
            cands.append((dept, head, offsites[dept], one[0]))
    if not cands:
        return None
    dept, head, off, one = rng.choice(cands)
    slot = first_free(db, [me["email"], head["email"]], off["date"], hour_of(off["end"]), one["id"])
    if slot is None or slot == (one["date"], hour_of(one["start"])):
        return None
    date, hour = slot
    first = head["name"].split()[0]
    steps: list[tuple[str, Any]] = [
        ("call", ("search_people", {"query": f"head of {dept}"})),
        ("call", ("search_events", {"query": "1:1"})),
        ("call", ("list_events", {"date": off["date"], "attendee_email": head["email"]}))]
    for d in [d for d in DAYS.values() if off["date"] <= d <= date]:
        steps.append(("call", ("list_events", {"date": d})))
        if d != off["date"]:
            steps.append(("call", ("list_events", {"date": d, "attendee_email": head["email"]})))
    new = [{"kind": "date", "value": date}, {"kind": "time", "value": hhmm(hour)}]
    steps += [("call", ("move_event", {"event_id": one["id"], "date": date, "start": hhmm(hour)})),
              ("call", ("send_email", {"to": [head["email"]], "subject": "New time for our 1:1",
                                       "body": f"Hi {first}, I moved our 1:1 to {_day(date)} at "
                                               f"{hhmm(hour)}. See you then!"}))]
    return Plan(f"Move my 1:1 with the head of {dept} to the first free slot for both of us "
                f"after their {DAY_NAME[off['date']]} offsite, and email them the new time.",
                steps, f"Your 1:1 with {head['name']} is now on {_day(date)} at {hhmm(hour)}; "
                       f"I emailed {first} the new time.", new,
                [{"to": [head["email"]], "mention": new}],
                {"time": [hhmm(hour + 1)]}, after=off["date"])


def cancel_notify(rng: random.Random, db: dict, before: str = "9999") -> Plan | None:
    me = db["people"][db["me"]]["email"]
    evs = [e for e in _mine(db) if e["title"] in MEETINGS and e["date"] < before]
    if not evs:
        return None
    e = rng.choice(evs)
    others = [a for a in e["attendees"] if a != me]
    names = ", ".join(_names(db, others))
    when_ = {"kind": "date", "value": e["date"]}
    return Plan(f"Cancel my '{e['title']}' meeting on {DAY_NAME[e['date']]} and email the other "
                "attendees that it is cancelled.",
                [("call", ("search_events", {"query": e["title"]})),
                 ("say", f"I found '{e['title']}' ({e['id']}) on {_day(e['date'])} at "
                         f"{e['start']} with {names}. Shall I cancel it and email them? "
                         "Please confirm."),
                 ("call", ("cancel_event", {"event_id": e["id"]})),
                 ("call", ("send_email", {"to": others, "subject": f"Cancelled: {e['title']}",
                                          "body": f"Hi all, the {e['title']} meeting on "
                                                  f"{_day(e['date'])} is cancelled."}))],
                f"Cancelled '{e['title']}' and emailed {names}.",
                emails=[{"to": sorted(others), "mention": [when_]}],
                lists={"name": [_names(db, others)]})


def manager_task(rng: random.Random, db: dict) -> Plan | None:
    heads = set(db["heads"].values())
    staff = [p for k, p in db["people"].items() if k != db["me"] and k not in heads
             and p["manager_id"]]
    p = rng.choice(staff)
    mgr = db["people"][p["manager_id"]]
    title, due = rng.choice(TASK_TITLES), rng.choice(list(DAYS.values()))
    return Plan(f"{p['name']} is out sick. Create a task '{title}' for their manager, due "
                f"{DAY_NAME[due]}, and tell me who their manager is.",
                [("call", ("search_people", {"query": p["name"]})),
                 ("call", ("get_person", {"person_id": p["id"]})),
                 ("call", ("create_task", {"title": title, "assignee_email": mgr["email"],
                                           "due_date": due}))],
                f"{p['name']}'s manager is {mgr['name']}. I created the task '{title}' for "
                f"them, due {DAY_NAME[due]}.",
                [{"kind": "name", "value": mgr["name"]}])


def cleanup_tasks(rng: random.Random, db: dict) -> Plan | None:
    me = db["people"][db["me"]]["email"]
    cut = rng.choice(list(DAYS.values())[2:])
    done = sorted((t for t in db["tasks"].values() if t["assignee"] == me
                   and t["status"] == "done" and t["due"] < cut), key=lambda t: t["id"])
    if not done:
        return None
    titles = ", ".join(f"'{t['title']}' ({t['id']})" for t in done)
    return Plan(f"Delete my completed tasks that were due before {DAY_NAME[cut]}.",
                [("call", ("list_tasks", {"status": "done"})),
                 ("say", f"I found {len(done)} completed task(s) due before {DAY_NAME[cut]}: "
                         f"{titles}. Shall I delete them? Please confirm.")]
                + [("call", ("delete_task", {"task_id": t["id"]})) for t in done],
                f"Deleted {len(done)} completed task(s): {titles}.")


LEVEL1 = (schedule, complete, when)
LEVEL2 = (move_after_offsite, cancel_notify, manager_task, cleanup_tasks)
LEVEL3 = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]  # pairs of level-2 requests
KINDS_PER_LEVEL = {1: len(LEVEL1), 2: len(LEVEL2), 3: len(LEVEL3)}


def make_plan(rng: random.Random, db: dict, difficulty: int, pick: int) -> Plan | None:
    """Request `pick` (< KINDS_PER_LEVEL[difficulty]) on `db`, or None when it does not fit."""
    if difficulty < 3:
        fn = (LEVEL1 if difficulty == 1 else LEVEL2)[pick]
        plan = fn(rng, db)
        if plan is not None:
            plan.kinds = [fn.__name__]
        return plan
    a, b = LEVEL3[pick]
    first = LEVEL2[a](rng, db)
    if first is None:
        return None
    # a cancellation before the offsite day cannot change the first free slot after it
    second = cancel_notify(rng, db, first.after) if b == 1 else LEVEL2[b](rng, db)
    if second is None:
        return None
    allowed = {k: first.allowed.get(k, []) + second.allowed.get(k, [])
               for k in {*first.allowed, *second.allowed}}
    lists = {k: first.lists.get(k, []) + second.lists.get(k, [])
             for k in {*first.lists, *second.lists}}
    return Plan(f"Two things, please. First: {first.request} Second: {second.request}",
                first.steps + second.steps, f"{first.final} {second.final}",
                first.required + second.required, first.emails + second.emails, allowed,
                kinds=[LEVEL2[a].__name__, LEVEL2[b].__name__], lists=lists)
