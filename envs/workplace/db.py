"""The company database of `workplace`: people, calendars, mail and tasks, generated from a seed.

Everything is plain JSON-able dicts so a store is copied with `copy.deepcopy`, compared with
`==`, and rebuilt on any actor from `db_seed` alone. Time is one work week (Monday 2026-03-02
to Friday 2026-03-06); meetings start on the hour between 09:00 and 17:00.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

WEEK = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(5)]
DAYS = {d.strftime("%A"): d.isoformat() for d in WEEK}  # "Monday" -> "2026-03-02"
DAY_NAME = {v: k for k, v in DAYS.items()}
OPEN, CLOSE = 9, 17  # working hours
DEPARTMENTS = ["Sales", "Engineering", "Marketing", "Finance", "Legal", "Design", "Support",
               "Operations"]
FIRST = ["Dana", "Alex", "Priya", "Marco", "Lena", "Omar", "Sofia", "Jonas", "Mei", "Tariq",
         "Elena", "Noah", "Aisha", "Lucas", "Hana", "Ravi", "Clara", "Diego", "Ines", "Felix"]
LAST = ["Whitfield", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Brennan", "Castillo", "Novak",
        "Haddad", "Kowalski", "Ferreira", "Iyer", "Schmidt", "Adeyemi", "Rossi", "Nakamura",
        "Duarte", "Halvorsen", "Mendes", "Park"]
MEETINGS = ["Budget review", "Roadmap sync", "Hiring panel", "Vendor call", "Quarterly planning",
            "Design critique", "Launch retro", "Pricing workshop", "Security review",
            "Customer escalation"]
BUSY = ["Customer call", "Focus time", "Interview", "Board prep", "Training"]
TASKS = ["Send Q1 forecast", "Review contract draft", "Update onboarding doc", "Book team dinner",
         "Renew software licenses", "Prepare board slides", "Submit expense report",
         "Draft hiring plan", "Clean up shared drive", "Write launch announcement"]
SUBJECTS = ["Re: contract terms", "Offsite agenda", "Invoice question", "Hiring update",
            "Lunch on Friday?", "Release notes", "Travel plans", "Feedback on slides"]


def hhmm(hour: int) -> str:
    return f"{hour:02d}:00"


def hour_of(t: str) -> int:
    return int(t.split(":")[0])


def person_email(first: str, last: str) -> str:
    return f"{first}.{last}@acme.example".lower()


def generate_db(seed: int, distractors: int = 1) -> dict[str, Any]:
    """A company of 20 people: one head per department (reporting to the CEO), members (some
    share a first name), calendars, an inbox and tasks. `distractors` (1-3, the task's
    difficulty) adds meetings that share a title with another one, busy blocks and tasks."""
    rng = random.Random(f"workplace-db/{seed}/{distractors}")
    names = rng.sample([(f, la) for f in FIRST for la in LAST], 60)
    firsts: dict[str, int] = {}
    picked = []
    for f, la in names:  # distinct last names; a first name at most twice (namesakes)
        if firsts.get(f, 0) < 2 and all(la != p[1] for p in picked):
            picked.append((f, la))
            firsts[f] = firsts.get(f, 0) + 1
        if len(picked) == 20:
            break
    people: dict[str, dict] = {}

    def add(f: str, la: str, title: str, dept: str, manager: str | None) -> str:
        pid = f"p{len(people) + 1:02d}"
        people[pid] = {"id": pid, "name": f"{f} {la}", "email": person_email(f, la),
                       "title": title, "department": dept, "manager_id": manager}
        return pid

    ceo = add(*picked[0], "Chief Executive Officer", "Executive", None)
    depts = rng.sample(DEPARTMENTS, 6)
    heads = {d: add(*picked[1 + i], f"Head of {d}", d, ceo) for i, d in enumerate(depts)}
    rest = picked[7:]
    members: dict[str, list[str]] = {d: [] for d in depts}
    for i, (f, la) in enumerate(rest):
        d = depts[i % len(depts)]
        members[d].append(add(f, la, rng.choice(["Manager", "Analyst", "Specialist", "Lead"]),
                              d, heads[d]))
    me_dept = depts[-1]
    me = members[me_dept][0]
    db: dict[str, Any] = {"me": me, "people": people, "events": {}, "emails": {}, "tasks": {},
                          "heads": heads, "counters": {"event": 100, "email": 500, "task": 300}}
    _fill_calendar(rng, db, depts, heads, members, distractors)
    _fill_mail_and_tasks(rng, db, distractors)
    return db


def busy(db: dict, email: str, date: str, hour: int, ignore: str = "") -> bool:
    """Has `email` a confirmed event overlapping [hour, hour+1) on `date`?"""
    for e in db["events"].values():
        if e["id"] == ignore or e["status"] != "confirmed" or e["date"] != date:
            continue
        if email in e["attendees"] and hour_of(e["start"]) <= hour < hour_of(e["end"]):
            return True
    return False


def add_event(db: dict, title: str, date: str, start: int, end: int, attendees: list[str]) -> str:
    db["counters"]["event"] += 1
    eid = f"ev-{db['counters']['event']}"
    db["events"][eid] = {"id": eid, "title": title, "date": date, "start": hhmm(start),
                         "end": hhmm(end), "attendees": sorted(set(attendees)),
                         "status": "confirmed"}
    return eid


def _place(rng: random.Random, db: dict, title: str, emails: list[str], hours: int = 1,
           days: list[str] | None = None) -> str | None:
    for _ in range(40):
        date = rng.choice(days or list(DAYS.values()))
        start = rng.randrange(OPEN, CLOSE - hours + 1)
        if not any(busy(db, m, date, h) for m in emails for h in range(start, start + hours)):
            return add_event(db, title, date, start, start + hours, emails)
    return None


def _fill_calendar(rng: random.Random, db: dict, depts: list[str], heads: dict,
                   members: dict, distractors: int) -> None:
    ppl, me = db["people"], db["me"]
    my = ppl[me]["email"]
    # offsites first (they shape free slots): all-day or morning, Tuesday-Thursday
    for d in depts[:3]:
        team = [ppl[heads[d]]["email"]] + [ppl[m]["email"] for m in members[d]]
        end = rng.choice([13, CLOSE])
        _place(rng, db, f"{d} offsite", team, end - OPEN, list(DAYS.values())[1:4])
    for d in depts[:5]:  # my 1:1s with heads
        other = ppl[heads[d]]
        _place(rng, db, f"1:1 {ppl[me]['name'].split()[0]} / {other['name'].split()[0]}",
               [my, other["email"]])
    pool = [p["email"] for p in ppl.values() if p["id"] != me]
    for title in rng.sample(MEETINGS, 7):
        _place(rng, db, title, [my] + rng.sample(pool, rng.randint(1, 3)))
    for title in rng.sample(MEETINGS, 1 + distractors):  # namesake meetings (distractors)
        _place(rng, db, title, [my] + rng.sample(pool, rng.randint(1, 3)))
    for p in pool:
        for _ in range(rng.randint(1, 3)):
            _place(rng, db, rng.choice(BUSY), [p])
    for _ in range(2 + 2 * distractors):
        _place(rng, db, rng.choice(BUSY), [my])


def _fill_mail_and_tasks(rng: random.Random, db: dict, distractors: int) -> None:
    ppl, me = db["people"], db["me"]
    others = [p for p in ppl if p != me]
    for subject in rng.sample(SUBJECTS, 6):
        db["counters"]["email"] += 1
        mid = f"m-{db['counters']['email']}"
        sender = ppl[rng.choice(others)]
        db["emails"][mid] = {"id": mid, "from": sender["email"], "to": [ppl[me]["email"]],
                             "subject": subject, "body": f"Hi, see my notes on {subject.lower()}.",
                             "date": rng.choice(list(DAYS.values())[:1]), "folder": "inbox"}
    for title in rng.sample(TASKS, 4 + 2 * distractors):
        db["counters"]["task"] += 1
        tid = f"t-{db['counters']['task']}"
        owner = me if rng.random() < 0.7 else rng.choice(others)
        db["tasks"][tid] = {"id": tid, "title": title, "assignee": ppl[owner]["email"],
                            "due": rng.choice(list(DAYS.values())),
                            "status": rng.choice(["open", "open", "done"])}


def first_free(db: dict, emails: list[str], after_date: str, after_hour: int,
               ignore: str = "") -> tuple[str, int] | None:
    """The earliest hour slot at or after (date, hour), in working hours, in which no one in
    `emails` has a confirmed event (other than `ignore`)."""
    for date in DAYS.values():
        if date < after_date:
            continue
        for h in range(OPEN, CLOSE):
            if date == after_date and h < after_hour:
                continue
            if not any(busy(db, m, date, h, ignore) for m in emails):
                return date, h
    return None


def canonical(db: dict, start: dict) -> dict[str, Any]:
    """What the verdict compares: existing records by id, new ones as multisets of content
    (ids of created records depend on call order, titles on case and spacing)."""
    def ev(e: dict) -> tuple:
        return (" ".join(e["title"].lower().split()), e["date"], e["start"], e["end"],
                tuple(e["attendees"]), e["status"])

    me = db["people"][db["me"]]["email"]

    def tk(t: dict) -> tuple:
        return (" ".join(t["title"].lower().split()), t["assignee"], t["due"], t["status"])

    return {"events": {k: ev(v) for k, v in db["events"].items() if k in start["events"]},
            "new_events": sorted(ev(v) for k, v in db["events"].items() if k not in start["events"]),
            "tasks": {k: tk(v) for k, v in db["tasks"].items() if k in start["tasks"]},
            "new_tasks": sorted(tk(v) for k, v in db["tasks"].items() if k not in start["tasks"]),
            # a copy to oneself is not another recipient
            "sent": sorted(tuple(a for a in m["to"] if a != me) for m in db["emails"].values()
                           if m["folder"] == "sent")}


def diff(got: dict, gold: dict, start: dict) -> list[str]:
    """Where the final database differs from the gold one (at most five lines)."""
    a, b = canonical(got, start), canonical(gold, start)
    # both sides' ids: a record only one of them deleted differs too
    out = [f"event {k} differs" for k in sorted(a["events"].keys() | b["events"].keys())
           if a["events"].get(k) != b["events"].get(k)]
    out += [f"task {k} differs" for k in sorted(a["tasks"].keys() | b["tasks"].keys())
            if a["tasks"].get(k) != b["tasks"].get(k)]
    for key, what in (("new_events", "created events"), ("new_tasks", "created tasks"),
                      ("sent", "sent emails (recipients)")):
        if a[key] != b[key]:
            out.append(f"{what} differ: {len(a[key])} made, {len(b[key])} expected")
    return out[:5]
