"""Did the assistant tell the user the facts the task asks for, once and plainly?

A fact is a time (`15:00`, `3 pm`, `3:00 PM`), a date (`2026-03-05`, `Thursday`, `March 5`,
`5 March`) or a person's full name from the directory. A required fact counts as told when
the text states it, and:
- no value of the same kind in the text is invented: every time, date and name must be a
  required one, one the tools showed the agent, or one the task allows (a moved meeting's
  end time);
- a list that names exactly one of the task's groups (`lists`: a cancelled meeting's other
  attendees, every one shown by the tools), joined by commas or "and", neither states nor
  hedges a required value in it when it also holds values that are not required: `emailed
  Hana Adeyemi, Marco Mendes and Omar Castillo` leaves the manager Hana Adeyemi to be told
  elsewhere, and is no hedge; the same names joined by "or" or next to a hedge word are;
- no sentence that states it offers an alternative of the same kind (`15:00 or 16:00`,
  `maybe Friday`), or qualifies it (`around 15:00`, `15:00 at the earliest`), or lists it
  among values that are not required (`free at 14:00, 15:00 and 16:00`);
- no other sentence says the same words with a different value of that kind (`The meeting
  is at 15:00. The meeting is at 16:00.`);
- no sentence states it under negation (`not on 2026-03-05`, `Lena Novak is not attending`,
  see gymkit.verifiers.negation): that does not tell it, and next to a plain statement it is
  a contradiction.
"""
from __future__ import annotations

import re

from gymkit.verifiers.negation import negated

from .db import DAYS

_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june",
                                       "july", "august", "september", "october", "november",
                                       "december"], 1)}
_MON = "|".join(sorted({m for k in _MONTHS for m in (k, k[:3])}, key=len, reverse=True))
_TIME = re.compile(r"(?<![\d:.])(?:(?P<h>\d{1,2}):(?P<m>\d{2})(?:\s*(?P<ap>[ap])\.?m\.?)?|"
                   r"(?P<h2>\d{1,2})\s*(?P<ap2>[ap])\.?m\b\.?|(?P<noon>\bnoon\b|\bmidday\b))"
                   r"(?![\d:])", re.I)
# "2-3 pm", "10 to 11:30 am": the first time takes the second one's am/pm
_RANGE_START = re.compile(r"(?<![\d:.])(\d{1,2})(?::(\d{2}))?(?=\s*(?:-|–|to)\s*(\d{1,2})(?::\d{2})?"
                          r"\s*([ap])\.?m\b)", re.I)
_DATE = re.compile(rf"\b(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b|"
                   rf"\b(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b|"
                   rf"\b(?P<wda>mon|tues?|wed|thu(?:rs?)?|fri)\b\.?|"
                   rf"\b(?P<mon>{_MON})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b|"
                   rf"\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_MON})\b", re.I)
_HEDGE = re.compile(r"\bor\b|\beither\b|\bmaybe\b|\bperhaps\b|\bpossibly\b|\bprobably\b|"
                    r"\bnot sure\b|\bcould be\b|\bmight\b|\bunsure\b|\balternativ|\w/\w|\?", re.I)
_NEAR_BEFORE = re.compile(r"(?:\babout|\baround|\broughly|\bapprox\w*\.?|~|≈|\bsometime|"
                          r"\bno (?:earlier|later) than|\bnearly|\bat (?:the )?(?:earliest|latest))\s*$", re.I)
_NEAR_AFTER = re.compile(r"^\s*(?:or so|-?ish\b|at the (?:earliest|latest)|or later|or earlier|"
                         r"give or take)", re.I)
_LIST_GAP = re.compile(r"\s*(?:,|;|&|\band\b|,\s*and\b)?\s*", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WEEKDAY_DATES = {k.lower(): v for k, v in DAYS.items()}
_WEEKDAY_DATES.update({"saturday": "2026-03-07", "sunday": "2026-03-01"})
_SHORT_DAYS = {k[:3]: v for k, v in _WEEKDAY_DATES.items()}  # Mon, Tue(s), Wed, Thu(rs), Fri


def parse_time(text: str) -> str | None:
    """`3 pm` / `15:00` / `3:00 PM` / `noon` -> `15:00`; None when it is not one time."""
    m = _TIME.fullmatch(text.strip())
    return _time_value(m) if m else None


def _time_value(m: re.Match) -> str | None:
    if m.group("noon"):
        return "12:00"
    h = int(m.group("h") or m.group("h2"))
    mins = int(m.group("m") or 0)
    ap = (m.group("ap") or m.group("ap2") or "").lower()
    if ap:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ap == "p" else 0)
    return f"{h:02d}:{mins:02d}" if h < 24 and mins < 60 else None


def _date_value(m: re.Match) -> str | None:
    if m.group("iso"):
        return m.group("iso")
    if m.group("wd"):
        return _WEEKDAY_DATES[m.group("wd").lower()]
    if m.group("wda"):
        return _SHORT_DAYS[m.group("wda").lower()[:3]]
    mon, d = (m.group("mon") or m.group("mon2")).lower(), int(m.group("d") or m.group("d2"))
    month = next(v for k, v in _MONTHS.items() if k.startswith(mon[:3]))
    return f"2026-{month:02d}-{d:02d}" if 1 <= d <= 31 else None


def parse_date(text: str) -> str | None:
    """`Thursday` / `2026-03-05` / `March 5` -> `2026-03-05`; None when it is not one date."""
    m = _DATE.fullmatch(text.strip())
    return _date_value(m) if m else None


def spans(text: str, kind: str, names: list[str] = ()) -> list[tuple[str, int, int]]:
    """(normalised value, start, end) of every fact of `kind` written in `text`."""
    out: list[tuple[str, int, int]] = []
    if kind == "time":
        out = [(v, m.start(), m.end()) for m in _TIME.finditer(text) if (v := _time_value(m))]
        taken = {a for _, a, _ in out}
        for m in _RANGE_START.finditer(text):
            h, mins, end_h, ap = m.group(1), m.group(2) or "00", m.group(3), m.group(4).lower()
            if ap == "p" and int(h) % 12 > int(end_h) % 12:  # "11-1 pm" starts in the morning
                ap = "a"
            if m.start() not in taken and (v := parse_time(f"{h}:{mins} {ap}m")):
                out.append((v, m.start(), m.end()))
    elif kind == "date":
        out = [(v, m.start(), m.end()) for m in _DATE.finditer(text) if (v := _date_value(m))]
    elif kind == "name":
        low = text.lower()
        for n in names:
            for m in re.finditer(rf"(?<!\w){re.escape(n.lower())}(?!\w)", low):
                out.append((n, m.start(), m.end()))
    return sorted(out, key=lambda s: s[1])


def values(text: str, kind: str, names: list[str] = ()) -> set[str]:
    return {v for v, _, _ in spans(text, kind, names)}


def _template(sentence: str, kind: str, names: list[str]) -> str:
    out, last = [], 0
    for _, a, b in spans(sentence, kind, names):
        out += [sentence[last:a], "_"]
        last = b
    out.append(sentence[last:])
    return " ".join("".join(out).lower().rstrip(".!?").split())


def _group_lists(sentence: str, kind: str, names: list[str], groups: list[set[str]],
                 required: set[str]) -> list[tuple[int, int]]:
    """(start, end) of each maximal bare list in `sentence` whose values are exactly one of
    `groups` and not all required: a listing of participants, not a claim about any one."""
    sp, out, k = spans(sentence, kind, names), [], 0
    while k < len(sp):
        j = k
        while j + 1 < len(sp) and _LIST_GAP.fullmatch(sentence[sp[j][2]:sp[j + 1][1]]):
            j += 1
        vals = {v for v, _, _ in sp[k:j + 1]}
        if j > k and vals in groups and vals - required:
            out.append((sp[k][1], sp[j][2]))
        k = j + 1
    return out


def _outside(sp: list[tuple[str, int, int]], runs: list[tuple[int, int]]) -> list:
    return [s for s in sp if not any(a <= s[1] and s[2] <= b for a, b in runs)]


def _qualified_or_listed(sentence: str, v: str, kind: str, names: list[str],
                         required: set[str], runs: list[tuple[int, int]] = ()) -> bool:
    sp = spans(sentence, kind, names)
    for k, (val, a, b) in enumerate(sp):
        if val != v or not _outside([sp[k]], runs):  # inside a group list: neither
            continue
        if _NEAR_BEFORE.search(sentence[max(0, a - 24):a]) or _NEAR_AFTER.search(sentence[b:b + 24]):
            return True
        for j in (k - 1, k + 1):  # a bare list with a value that is not required
            if 0 <= j < len(sp) and sp[j][0] not in required:
                gap = sentence[min(b, sp[j][2]):max(a, sp[j][1])]
                if _LIST_GAP.fullmatch(gap):
                    return True
    return False


def _denies(sentence: str, v: str, kind: str, names: list[str]) -> bool:
    """Is some statement of `v` in `sentence` negated in its clause?"""
    sp = spans(sentence, kind, names)
    others = [(a, b) for _, a, b in sp]
    return any(negated(sentence, a, b, others) for val, a, b in sp if val == v)


def told_problems(text: str, required: list[dict], allowed: dict[str, set[str]],
                  names: list[str], shown: dict[str, set[str]],
                  lists: dict[str, list[list[str]]] | None = None) -> list[str]:
    """Why `required` facts ({"kind", "value"}) are not told plainly in `text` (empty = told).
    `allowed[kind]` holds the values the agent may mention besides the required ones;
    `shown[kind]` the values tool results (or the request) showed: a required value never
    shown was guessed. `lists[kind]` holds groups of values the text may list together."""
    problems: list[str] = []
    sents = [s for s in _SENTENCE_END.split(text) if s.strip()]
    for kind in sorted({r["kind"] for r in required}):
        req = {r["value"] for r in required if r["kind"] == kind}
        invented = sorted(values(text, kind, names) - req - allowed.get(kind, set()))
        if invented:
            problems.append(f"{kind}s the tools never showed: {', '.join(invented[:4])}")
        # a group counts only when the tools showed every value in it
        groups = [set(g) for g in (lists or {}).get(kind, [])
                  if len(g) > 1 and set(g) <= shown.get(kind, set())]
        said = [(s, values(s, kind, names)) for s in sents]
        runs = {s: _group_lists(s, kind, names, groups, req) for s in sents} if groups else {}
        for v in sorted(req):
            # a mention inside a group list neither states nor hedges v
            stating = [s for s, vs in said if v in vs and any(
                x[0] == v for x in _outside(spans(s, kind, names), runs.get(s, [])))]
            if not stating:
                problems.append(f"not told: {kind} {v}")
                continue
            denied = [s for s in stating if _denies(s, v, kind, names)]
            if denied:
                problems.append(f"{kind} {v} is stated under negation: {denied[0][:120]!r}")
                continue
            if v not in shown.get(kind, set()):
                problems.append(f"{kind} {v} is told, but no tool result showed it (a guess)")
            hedged = [s for s, vs in said if v in vs and vs - req and _HEDGE.search(s)]
            hedged += [s for s in stating
                       if _qualified_or_listed(s, v, kind, names, req, runs.get(s, []))]
            templates = {_template(s, kind, names) for s in stating}
            hedged += [s for s, vs in said if v not in vs and vs - req
                       and _template(s, kind, names) in templates]
            if hedged:
                problems.append(f"{kind} {v} is told among alternatives or with a qualifier: "
                                f"{hedged[0][:120]!r}")
    return problems
