"""`search_kb`: answer a question by searching and reading a local, fictional knowledge base.

Tools: `search(query)` (BM25 over the documents: ids, titles, snippets) and `read(doc_id)`.
Questions need one or two hops (the town where X was born, then its population). The KB is
rebuilt from the seed in `Task.data` (or from the documents stored there, for loaded rows),
so an episode replays exactly on a fresh actor. One final answer, matched after normalising,
and grounded: the episode must have shown it to the agent (`score_episode`).
"""
from __future__ import annotations

import json
import random
import re
from typing import Any

from gymkit import BaseEnv, Score, Task, tool
from gymkit.chat import system, user
from gymkit.env import Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import ToolCallError, make_call
from gymkit.verifiers.kb import check_final_answer, name_forms, normalise_text, parse_number

from .kb import Doc, KnowledgeBase, tokens
from .world import World, build_world, doc_id

SYSTEM_PROMPT = (
    "Answer the question using the knowledge base: `search` finds documents by keywords and "
    "`read` returns a document's full text. The facts are only in the knowledge base. When "
    "you know the answer, give it on a line 'Answer: <answer>' (just the name or number), "
    "or in \\boxed{}. Give exactly one final answer.")
MAX_QUERY_CHARS = 300
_PLAIN_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_NUMBERS = re.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|(?<![\w.,])-?\d+(?:\.\d+)?")
_DESIGNATORS = frozenset("river lake mount mountain port fort cape isle island bay sea".split())

# (question template, hops as (entity kind, field to follow), answer field)
Question = tuple[str, list[tuple[str, str]], str]
QUESTIONS: dict[int, list[Question]] = {
    1: [("In what year was the town of {name} founded?", [("towns", "")], "founded"),
        ("What is the population of {name}?", [("towns", "")], "population"),
        ("On which river does {name} lie?", [("towns", "")], "river"),
        ("In what year was {name} born?", [("people", "")], "born"),
        ("What is the profession of {name}?", [("people", "")], "profession"),
        ("Who founded {name}?", [("companies", "")], "founder"),
        ("In which town does {name} have its headquarters?", [("companies", "")], "headquarters")],
    2: [("What is the population of the town where {name} was born?",
         [("people", "birthplace"), ("towns", "")], "population"),
        ("In what year was the founder of {name} born?",
         [("companies", "founder"), ("people", "")], "born"),
        ("On which river lies the town where {name} has its headquarters?",
         [("companies", "headquarters"), ("towns", "")], "river"),
        ("What does the company that employs {name} make?",
         [("people", "employer"), ("companies", "")], "product"),
        ("In what year was the mayor of {name} born?",
         [("towns", "mayor"), ("people", "")], "born"),
        ("Who is the mayor of the town where {name} was born?",
         [("people", "birthplace"), ("towns", "")], "mayor")],
}


@register_env
class SearchKBEnv(BaseEnv):
    """Multi-hop question answering with search and read tools over a generated KB."""

    name = "search_kb"
    family = "tool_use"
    verifier = ("one boxed/Answer: value; normalised string or exact number match, shown to the "
                "agent in this episode (a read, or a snippet for a query not naming it)")
    max_turns = 12
    max_tool_calls = 10
    difficulties = (1, 2, 3)

    # ------------------------------------------------------------------ tools
    @tool
    def search(self, ep: Episode, query: str) -> str:
        """Search the knowledge base by keywords; returns up to 5 documents (id, title, snippet)."""
        if len(query) > MAX_QUERY_CHARS:
            raise ToolCallError(f"query is longer than {MAX_QUERY_CHARS} characters")
        hits = ep.state["kb"].search(query)
        if not _shares_answer_words(query, ep.task):  # a snippet for the answer itself proves nothing
            self._note_seen(ep, " ".join(h["snippet"] for h in hits))
        return json.dumps(hits) if hits else f"no documents match {query[:80]!r}"

    @tool
    def read(self, ep: Episode, doc_id: str) -> str:
        """Read a document's full text by its id (ids come from `search`, e.g. "d3")."""
        doc = ep.state["kb"].docs.get(doc_id.strip())
        if doc is None:
            raise ToolCallError(f"unknown doc id {doc_id[:40]!r}; use an id returned by search")
        ep.state["reads"] = ep.state.get("reads", 0) + 1
        self._note_seen(ep, f"{doc.title}\n\n{doc.text}")
        return f"{doc.title}\n\n{doc.text}"

    @staticmethod
    def _note_seen(ep: Episode, text: str) -> None:
        """Remember whether the agent has been shown the gold answer (a bool, not the text)."""
        if not ep.state.get("answer_seen") and mentions(text, ep.task):
            ep.state["answer_seen"] = True

    def reset(self, task: Task) -> Episode:
        episode = super().reset(task)
        episode.state["kb"] = self.knowledge_base(task)
        return episode

    def knowledge_base(self, task: Task) -> KnowledgeBase:
        """The task's KB: rebuilt from its seed, or from the documents a loaded row carried."""
        if "docs" in task.data:
            return KnowledgeBase([Doc(**d) for d in task.data["docs"]])
        return build_world(task.data["kb_seed"], task.data["kb_level"]).kb

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        kb_seed = rng.getrandbits(32)
        world = build_world(kb_seed, difficulty)
        template, hops, field = rng.choice(QUESTIONS[1 if difficulty == 1 else 2])
        entity = rng.choice(getattr(world, hops[0][0]))
        path, record = [entity["name"]], entity
        for (_, follow), (next_kind, _) in zip(hops, hops[1:]):
            record = next(e for e in getattr(world, next_kind) if e["name"] == record[follow])
            path.append(record["name"])
        answer = record[field]
        aliases = [answer.removeprefix("River ")] if field == "river" else []
        return Task(id=f"search_kb-{difficulty}-{index}", env=self.name,
                    prompt=[system(SYSTEM_PROMPT), user(template.format(name=entity["name"]))],
                    data={"kb_seed": kb_seed, "kb_level": difficulty, "answer": answer,
                          "aliases": aliases, "path": path},
                    gold=_gold(world, path, answer, index), meta={"hops": len(hops)})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A HotpotQA-style row: `question`, `answer`, and `context` as the documents, either
        `{"title": [...], "sentences": [[...]]}` or `[[title, [sentence, ...]], ...]`."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        context = row.get("context")
        if not isinstance(row.get("question"), str) or "answer" not in row or not context:
            raise GymkitError(f"search_kb row {index} needs 'question', 'answer' and 'context' "
                              f"(HotpotQA format); got keys {sorted(row)}")
        pairs = (zip(context["title"], context["sentences"]) if isinstance(context, dict)
                 else [(c[0], c[1]) for c in context])
        docs = [{"id": f"d{i}", "title": str(title),
                 "text": " ".join(s.strip() for s in sentences)}
                for i, (title, sentences) in enumerate(pairs)]
        return Task(id=str(row.get("id", row.get("_id", f"search_kb-row-{index}"))),
                    env=self.name, prompt=[system(SYSTEM_PROMPT), user(row["question"])],
                    data={"docs": docs, "answer": str(row["answer"]),
                          "aliases": [str(a) for a in row.get("aliases", [])]})

    # ------------------------------------------------------------------ scoring
    def score_episode(self, episode: Episode, response: str) -> Score:
        """The answer must match and be grounded: this episode showed it to the agent, in a
        `read` result or in a search snippet for a query that shares no word with it. When no
        document holds the answer (a loaded yes/no question), one successful read suffices."""
        score = self.score(episode.task, response)
        if score.status != "correct":
            return score
        if episode.state.get("answer_seen"):
            return score
        kb: KnowledgeBase = episode.state["kb"]
        in_kb = any(mentions(f"{d.title}\n\n{d.text}", episode.task) for d in kb.docs.values())
        if not in_kb and episode.state.get("reads"):
            return score
        return Score.wrong("the answer is not grounded: no document read (or snippet found "
                           "without naming the answer) in this episode shows it",
                           tool_calls=episode.tool_calls)

    def score(self, task: Task, response: str) -> Score:
        ok, reason = check_final_answer(response, task.data["answer"], task.data.get("aliases", []))
        return Score.correct() if ok else Score.wrong(reason)


def _golds(task: Task) -> list[str]:
    return [str(task.data["answer"]), *[str(a) for a in task.data.get("aliases", [])]]


def mentions(text: str, task: Task) -> bool:
    """Does `text` state the task's answer? Numbers are compared as numbers (`12,345` is
    12345), names as whole normalised words, in any of their forms (`name_forms`)."""
    golds = _golds(task)
    numbers = [parse_number(g) for g in golds if _PLAIN_NUMBER.fullmatch(g.strip())]
    if numbers:
        found = {float(m.replace(",", "")) for m in _NUMBERS.findall(text)}
        return any(n in found for n in numbers if n is not None)
    padded = f" {normalise_text(text)} "
    return any(f" {form} " in padded for g in golds for form in name_forms(g))


def _shares_answer_words(query: str, task: Task) -> bool:
    """Does a search query name (part of) the answer? Designators and stop words aside."""
    answer_words = {t.replace(",", "") for g in _golds(task) for t in tokens(g)} - _DESIGNATORS
    return bool(answer_words & {t.replace(",", "") for t in tokens(query)})


def _gold(world: World, path: list[str], answer: Any, index: int) -> list[dict]:
    """Search each entity on the path by name, read its document, then answer."""
    msgs = []
    for hop, title in enumerate(path):
        for kind, args in (("search", {"query": title}), ("read", {"doc_id": doc_id(world, title)})):
            call = make_call(kind, args, call_id=f"call_{index}_{hop}_{kind}")
            msgs.append({"role": "assistant", "content": "", "tool_calls": [call]})
    shown = f"{answer:,}" if isinstance(answer, int) else answer
    msgs.append({"role": "assistant", "content": f"Answer: {shown}"})
    return msgs

