"""The typed tools of `workplace`: directory, calendar, mail and tasks on the episode's database.

`WorkplaceTools` is a mixin of `@tool` methods. Each acts on `episode.state["db"]`; a bad
argument (an unknown id or email, a time outside working hours) comes back as `error: ...`
and changes nothing. Only the user's own events and tasks can be changed.
"""
from __future__ import annotations

import json
from typing import Literal

from gymkit.env import Episode
from gymkit.tools import ToolCallError, tool

from .db import CLOSE, DAY_NAME, DAYS, OPEN, add_event, hhmm, hour_of
from .facts import parse_date, parse_time

DESTRUCTIVE = {"cancel_event": "event_id", "delete_task": "task_id"}
WRITES = {"create_event", "move_event", "cancel_event", "send_email", "create_task",
          "complete_task", "delete_task"}
MAX_TEXT = 4000


def _json(x: object) -> str:
    return json.dumps(x, ensure_ascii=False)


class WorkplaceTools:
    """Directory, calendar, mail and task tools of the user's company."""

    @staticmethod
    def _db(ep: Episode) -> dict:
        return ep.state["db"]

    def _me(self, ep: Episode) -> str:
        db = self._db(ep)
        return db["people"][db["me"]]["email"]

    def _email(self, ep: Episode, email: str) -> str:
        e = email.strip().lower()
        if not any(p["email"] == e for p in self._db(ep)["people"].values()):
            raise ToolCallError(f"no one in the directory has the email {email[:80]!r}")
        return e

    @staticmethod
    def _date(text: str) -> str:
        d = parse_date(text[:40])
        if d not in DAY_NAME:
            raise ToolCallError(f"date {text[:40]!r} is not a workday of this week "
                                f"({', '.join(DAYS.values())})")
        return d

    @staticmethod
    def _start(text: str, hours: int = 1) -> int:
        t = parse_time(text[:20])
        if t is None or not t.endswith(":00") or not OPEN <= hour_of(t) <= CLOSE - hours:
            raise ToolCallError(f"start {text[:20]!r} must be on the hour, from {hhmm(OPEN)} "
                                f"to {hhmm(CLOSE - hours)}")
        return hour_of(t)

    def _show(self, ep: Episode, e: dict) -> dict:
        """An event as the model sees it: attendees with their names."""
        names = {p["email"]: p["name"] for p in self._db(ep)["people"].values()}
        return {**e, "attendees": [f"{names.get(a, a)} <{a}>" for a in e["attendees"]]}

    def _my_event(self, ep: Episode, event_id: str) -> dict:
        e = self._db(ep)["events"].get(event_id.strip())
        if e is None or self._me(ep) not in e["attendees"]:
            raise ToolCallError(f"no event {event_id[:40]!r} on your calendar")
        if e["status"] != "confirmed":
            raise ToolCallError(f"event {e['id']} is {e['status']}")
        return e

    def _my_task(self, ep: Episode, task_id: str) -> dict:
        t = self._db(ep)["tasks"].get(task_id.strip())
        if t is None or t["assignee"] != self._me(ep):
            raise ToolCallError(f"no task {task_id[:40]!r} assigned to you")
        return t

    # ------------------------------------------------------------ directory
    @tool
    def search_people(self, ep: Episode, query: str) -> str:
        """Find people by words of their name, title, department or email (at most 10)."""
        words = query.lower().split()[:8]
        if not words:
            raise ToolCallError("query is empty")
        hits = [{k: p[k] for k in ("id", "name", "email", "title", "department")}
                for p in self._db(ep)["people"].values()
                if all(w in f"{p['name']} {p['title']} {p['department']} {p['email']}".lower()
                       for w in words)]
        return _json(hits[:10])

    @tool
    def get_person(self, ep: Episode, person_id: str) -> str:
        """A person's record, with their manager's id and name."""
        db = self._db(ep)
        p = db["people"].get(person_id.strip())
        if p is None:
            raise ToolCallError(f"no person {person_id[:40]!r}")
        m = db["people"].get(p["manager_id"] or "")
        return _json({**p, "manager_name": m["name"] if m else None})

    # ------------------------------------------------------------ calendar
    @tool
    def list_events(self, ep: Episode, date: str, attendee_email: str = "") -> str:
        """Confirmed events on a date (YYYY-MM-DD or a weekday) of one person (default: you)."""
        d = self._date(date)
        who = self._email(ep, attendee_email) if attendee_email.strip() else self._me(ep)
        evs = sorted((e for e in self._db(ep)["events"].values() if e["date"] == d
                      and e["status"] == "confirmed" and who in e["attendees"]),
                     key=lambda e: e["start"])
        return _json({"date": d, "weekday": DAY_NAME[d], "person": who,
                      "events": [self._show(ep, e) for e in evs]})

    @tool
    def search_events(self, ep: Episode, query: str) -> str:
        """Your confirmed events this week whose title contains `query`."""
        q = query.strip().lower()
        if not q:
            raise ToolCallError("query is empty")
        me = self._me(ep)
        return _json([self._show(ep, e) for e in self._db(ep)["events"].values()
                      if q in e["title"].lower() and me in e["attendees"]
                      and e["status"] == "confirmed"])

    @tool
    def create_event(self, ep: Episode, title: str, date: str, start: str,
                     attendee_emails: list[str], duration_minutes: int = 60) -> str:
        """Create an event on your calendar; you are added as an attendee."""
        if not title.strip() or len(title) > 200:
            raise ToolCallError("title must be 1-200 characters")
        if duration_minutes % 60 or not 60 <= duration_minutes <= 480:
            raise ToolCallError("duration_minutes must be a whole number of hours (60-480)")
        if len(attendee_emails) > 20:
            raise ToolCallError("at most 20 attendees")
        hours = duration_minutes // 60
        d, h = self._date(date), self._start(start, hours)
        emails = [self._email(ep, e) for e in attendee_emails] + [self._me(ep)]
        eid = add_event(self._db(ep), title.strip(), d, h, h + hours, emails)
        return _json(self._show(ep, self._db(ep)["events"][eid]))

    @tool
    def move_event(self, ep: Episode, event_id: str, date: str, start: str) -> str:
        """Move one of your events to another date and start time; its length is kept."""
        e = self._my_event(ep, event_id)
        hours = hour_of(e["end"]) - hour_of(e["start"])
        d, h = self._date(date), self._start(start, hours)
        e.update(date=d, start=hhmm(h), end=hhmm(h + hours))
        return _json(self._show(ep, e))

    @tool
    def cancel_event(self, ep: Episode, event_id: str) -> str:
        """Cancel one of your events for every attendee (destructive: confirm first)."""
        e = self._my_event(ep, event_id)
        e["status"] = "cancelled"
        return _json(self._show(ep, e))

    # ------------------------------------------------------------ mail
    @tool
    def search_emails(self, ep: Episode, query: str) -> str:
        """Emails (inbox and sent) whose sender, subject or body contains `query`."""
        q = query.strip().lower()
        if not q:
            raise ToolCallError("query is empty")
        return _json([{k: m[k] for k in ("id", "from", "to", "subject", "date", "folder")}
                      for m in self._db(ep)["emails"].values()
                      if q in f"{m['from']} {m['subject']} {m['body']}".lower()])

    @tool
    def read_email(self, ep: Episode, email_id: str) -> str:
        """One email in full."""
        m = self._db(ep)["emails"].get(email_id.strip())
        if m is None:
            raise ToolCallError(f"no email {email_id[:40]!r}")
        return _json(m)

    @tool
    def send_email(self, ep: Episode, to: list[str], subject: str, body: str) -> str:
        """Send an email from you to people in the directory."""
        if not to or len(to) > 20:
            raise ToolCallError("to must name 1-20 recipients")
        if len(subject) > 300 or len(body) > MAX_TEXT:
            raise ToolCallError(f"subject over 300 or body over {MAX_TEXT} characters")
        rcpt = sorted({self._email(ep, e) for e in to})
        db = self._db(ep)
        db["counters"]["email"] += 1
        mid = f"m-{db['counters']['email']}"
        db["emails"][mid] = {"id": mid, "from": self._me(ep), "to": rcpt, "subject": subject,
                             "body": body, "date": DAYS["Monday"], "folder": "sent"}
        return _json({"id": mid, "status": "sent", "to": rcpt})

    # ------------------------------------------------------------ tasks
    @tool
    def list_tasks(self, ep: Episode, assignee_email: str = "",
                   status: Literal["open", "done", "all"] = "all") -> str:
        """Tasks of one person (default: you), filtered by status."""
        who = self._email(ep, assignee_email) if assignee_email.strip() else self._me(ep)
        return _json([t for t in self._db(ep)["tasks"].values() if t["assignee"] == who
                      and (status == "all" or t["status"] == status)])

    @tool
    def create_task(self, ep: Episode, title: str, assignee_email: str, due_date: str) -> str:
        """Create an open task for someone in the directory."""
        if not title.strip() or len(title) > 200:
            raise ToolCallError("title must be 1-200 characters")
        db = self._db(ep)
        who, due = self._email(ep, assignee_email), self._date(due_date)
        db["counters"]["task"] += 1
        tid = f"t-{db['counters']['task']}"
        db["tasks"][tid] = {"id": tid, "title": title.strip(), "assignee": who, "due": due,
                            "status": "open"}
        return _json(db["tasks"][tid])

    @tool
    def complete_task(self, ep: Episode, task_id: str) -> str:
        """Mark one of your tasks as done."""
        t = self._my_task(ep, task_id)
        t["status"] = "done"
        return _json(t)

    @tool
    def delete_task(self, ep: Episode, task_id: str) -> str:
        """Delete one of your tasks for good (destructive: confirm first)."""
        t = self._my_task(ep, task_id)
        del self._db(ep)["tasks"][t["id"]]
        return _json({"deleted": t["id"]})
