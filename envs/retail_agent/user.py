"""The scripted customer: rule-based and deterministic, so episodes replay exactly.

The customer's script lives in `Task.data["user"]`: an answer for identity questions and, per
intent (one request, e.g. "cancel an order"), an opening line and answers by topic. Each
assistant message the customer reads is matched against keyword rules, in this order:
1. "anything else?" -> the current request is over: open the next one, or stop (`###STOP###`);
2. a topic the customer has not answered yet (email, name/zip, order, items, option, reason,
   address, payment) -> the answers for every topic asked, in that fixed order (so "can you
   confirm your email?" gets the email, not a "yes");
3. a request to confirm ("confirm", "proceed", "go ahead", "yes/no") -> "Yes, please go ahead.";
4. a completion claim ("has been cancelled", "successfully", "all set") -> as in 1;
5. topics already answered -> the same answers again;
6. nothing recognised -> the opening line again; after three such replies in a row the
   customer gives up (`###STOP###`).
The customer never checks the database: claiming success without doing it ends the talk,
and the verdict (database and information told) is the env's.
"""
from __future__ import annotations

import re
from typing import Any

STOP = "###STOP###"
CONFIRMED = "Yes, please go ahead."
MAX_READ = 4000  # a longer message is not read (and does not count as telling anything)
_ANYTHING_ELSE = re.compile(r"\banything else\b|\bsomething else\b")
_CONFIRM = re.compile(r"\bconfirm|\bproceed\b|\bgo ahead\b|\byes/no\b|\byes or no\b|\(y/n\)")
_DONE = re.compile(r"\bhas been (?:cancel|updat|chang|submit|process|request|modifi|return|"
                   r"exchang)|\bsuccessfully\b|\ball set\b")
TOPICS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"\be-?mail")),
    ("name", re.compile(r"\bname\b|\bzip\b|\bzip code|\bpostal")),
    ("order", re.compile(r"\border\b")),
    ("items", re.compile(r"\bitems?\b|\bwhich product")),
    ("option", re.compile(r"\boptions?\b|\bvariant|\binstead\b|\bcolou?r\b|\bsize\b|\bnew one\b")),
    ("reason", re.compile(r"\breason\b|\bwhy\b")),
    ("address", re.compile(r"(?<!email )(?<!e-mail )\baddress")),
    ("payment", re.compile(r"\bpayment|\bpay\b|\bcard\b|\bpaypal\b|\brefund")),
]


def new_state() -> dict[str, Any]:
    """The customer's memory: current request, topics answered, unanswered replies in a row."""
    return {"intent": 0, "idle": 0, "given": [], "stopped": False}


def _next_request(script: dict, st: dict) -> tuple[str, bool]:
    st["intent"] += 1
    st["idle"] = 0
    st["given"] = [g for g in st["given"] if g in script["identity"]]  # identity stays told
    if st["intent"] >= len(script["intents"]):
        st["stopped"] = True
        return f"No, that's all. Thank you! {STOP}", True
    return script["intents"][st["intent"]]["opening"], False


def _answer(answers: dict[str, str], topics: list[str], st: dict) -> tuple[str, bool]:
    parts: list[str] = []
    for topic in topics:
        if answers[topic] not in parts:
            parts.append(answers[topic])
        if topic not in st["given"]:
            st["given"].append(topic)
    st["idle"] = 0
    return " ".join(parts), False


def customer_reply(script: dict, st: dict, text: str) -> tuple[str, bool]:
    """The customer's answer to the assistant's message `text`, and whether they stop."""
    if len(text) > MAX_READ:
        return "Sorry, that is too long for me to read. Could you keep it short?", False
    t = text.lower()
    answers = {**script["identity"], **script["intents"][st["intent"]]["answers"]}
    asked = [topic for topic, rx in TOPICS if topic in answers and rx.search(t)]
    if _ANYTHING_ELSE.search(t):
        return _next_request(script, st)
    if any(topic not in st["given"] for topic in asked):
        return _answer(answers, asked, st)
    if _CONFIRM.search(t):
        st["idle"] = 0
        return CONFIRMED, False
    if _DONE.search(t):
        return _next_request(script, st)
    if asked:
        return _answer(answers, asked, st)
    st["idle"] += 1
    if st["idle"] >= 3:
        st["stopped"] = True
        return f"I don't think this is going anywhere. Goodbye. {STOP}", True
    return script["intents"][st["intent"]]["opening"], False
