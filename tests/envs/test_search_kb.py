"""search_kb: the generated KB, BM25 search, replayable episodes, answer matching, loader."""
import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.search_kb import SearchKBEnv
from gymkit.envs.search_kb.kb import Doc, KnowledgeBase
from gymkit.envs.search_kb.world import build_world
from gymkit.tools import make_call
from gymkit.types import Task
from gymkit.verifiers.kb import check_final_answer, normalise_text


@pytest.fixture(scope="module")
def env():
    return SearchKBEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(9, seed=5)


def call(name, **args):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args)]}


def say(text):
    return {"role": "assistant", "content": text}


def tools_only(task):
    return task.gold[:-1]


# ------------------------------------------------------------------ KB and search
def test_search_ranks_the_named_entity_first():
    for level in (1, 2, 3):
        world = build_world(123, level)
        for entity in world.towns + world.people + world.companies:
            hits = world.kb.search(entity["name"])
            assert hits[0]["title"] == entity["name"], (level, entity["name"], hits[:2])


def test_search_results_have_ids_titles_snippets():
    kb = KnowledgeBase([Doc("d0", "Otter Lake", "Otter Lake is cold. It is deep."),
                        Doc("d1", "Pine Ridge", "Pine Ridge is dry. Otters are rare here."),
                        Doc("d2", "Salt Flat", "Nothing lives here.")])
    hits = kb.search("how deep is otter lake")
    assert [h["id"] for h in hits] == ["d0"]
    assert hits[0]["snippet"] == "Otter Lake is cold."
    assert kb.search("zzz") == []


def test_world_is_a_pure_function_of_its_seed():
    build_world.cache_clear()
    a = {d.id: d for d in build_world(9, 3).kb.docs.values()}
    build_world.cache_clear()
    assert a == {d.id: d for d in build_world(9, 3).kb.docs.values()}
    assert a != build_world(10, 3).kb.docs


# ------------------------------------------------------------------ episodes
def test_gold_scores_one_at_every_level(env):
    for level in env.difficulties:
        for task in env.generate(5, seed=8, difficulty=level):
            _, score = play(env, task, task.gold)
            assert (score.status, score.reward) == ("correct", 1.0), (task.id, score)


def test_two_hop_questions_need_two_documents(env):
    task = env.generate(1, seed=1, difficulty=2)[0]
    assert task.meta["hops"] == 2 and len(task.data["path"]) == 2
    msgs, _ = play(env, task, task.gold)
    reads = [m["content"] for m in msgs if m["role"] == "tool" and m["name"] == "read"]
    assert [r.split("\n")[0] for r in reads] == task.data["path"]


def test_episode_replays_exactly_on_a_fresh_env(tasks):
    task = Task.model_validate_json(tasks[4].model_dump_json())
    build_world.cache_clear()
    first, _ = play(SearchKBEnv(), task, task.gold)
    build_world.cache_clear()
    second, _ = play(SearchKBEnv(), task, task.gold)
    assert first == second


@pytest.mark.parametrize("fmt", ["Answer: {}", "\\boxed{{{}}}", "**Answer:** {}.",
                                 "Answer: the {}", "Answer: {}\n\\boxed{{{}}}"])
def test_correct_answer_in_any_accepted_form(env, tasks, fmt):
    for task in tasks[:6]:
        ans = task.data["answer"]
        shown = f"{ans:,}" if isinstance(ans, int) else str(ans).upper()
        if isinstance(ans, int) and "the" in fmt:
            continue  # articles are dropped from names, not from numbers
        _, score = play(env, task, tools_only(task) + [say(fmt.format(shown, shown))])
        assert score.status == "correct", (task.id, score)


def test_wrong_and_guessed_answers_score_zero(env, tasks):
    for task in tasks:
        ans = task.data["answer"]
        wrong = ans + 1 if isinstance(ans, int) else "Velmor Quist"
        _, score = play(env, task, tools_only(task) + [say(f"Answer: {wrong}")])
        assert (score.status, score.reward) == ("wrong", 0.0)
        _, guessed = play(env, task, [say(f"Answer: {wrong}")])  # no tools: a guess
        assert guessed.status == "wrong"


def test_hedged_answers_score_zero(env, tasks):
    task = tasks[3]
    ans = task.data["answer"]
    other = ans + 1 if isinstance(ans, int) else "Ixulby"
    for text in (f"\\boxed{{{ans}}} or \\boxed{{{other}}}", f"Answer: {ans} or {other}",
                 f"Answer: {other}\nAnswer: {ans}", f"<think>Answer: {ans}</think>Answer: {other}",
                 f"It is {ans}."):
        _, score = play(env, task, tools_only(task) + [say(text)])
        assert score.status == "wrong", text


def test_bad_calls_are_errors_that_cost_a_turn(env, tasks):
    task = tasks[0]
    bad = [call("read", doc_id="d9999"), call("read", id="d1"), call("search", query=7),
           call("search", query="x" * 400), call("browse", url="http://x"),
           {"role": "assistant", "content": "", "tool_calls": [
               {"id": "c", "type": "function", "function": {"name": "read", "arguments": "{,"}}]}]
    msgs, score = play(env, task, bad + task.gold)
    errors = [m["content"] for m in msgs if m["role"] == "tool"][:len(bad)]
    assert all(e.startswith("error: ") for e in errors), errors
    assert "unknown doc id" in errors[0] and "unknown tool 'browse'" in errors[4]
    assert score.status == "correct"


def test_tool_call_cap_and_turn_cap(env, tasks):
    task = tasks[0]
    burst = {"role": "assistant", "content": "", "tool_calls": [
        make_call("search", {"query": "town"}) for _ in range(env.max_tool_calls + 1)]}
    msgs, _ = play(env, task, [burst, say("Answer: x")])
    assert "tool-call limit" in [m for m in msgs if m["role"] == "tool"][-1]["content"]
    _, score = play(env, task, [call("search", query="town")] * (env.max_turns + 1))
    assert score.status == "truncated"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\xff" * 1000, "Answer: " + "9" * 1_000_000,
                                  "<think>Answer: 5", "Answer:"])
def test_degenerate_outputs_score_zero_without_raising(env, tasks, text):
    _, score = play(env, tasks[0], tools_only(tasks[0]) + [say(text)])
    assert score.reward == 0.0 and score.status == "wrong"


def test_determinism_and_check_env(env):
    assert env.generate(6, seed=4) == env.generate(6, seed=4)
    assert env.generate(6, seed=4) != env.generate(6, seed=5)
    assert check_env(env) == []


def test_loader_reads_hotpotqa_rows(env, tmp_path):
    rows = [{"_id": "hp1", "question": "Which river flows through the town where Ada Lune was born?",
             "answer": "River Sel", "context": [
                 ["Ada Lune", ["Ada Lune was a painter.", " She was born in Morrow."]],
                 ["Morrow", ["Morrow is a town on the River Sel."]],
                 ["Kettle", ["Kettle is a village."]]]},
            {"id": "hp2", "question": "When was Morrow founded?", "answer": "1802",
             "context": {"title": ["Morrow"], "sentences": [["Morrow was founded in 1802."]]}}]
    path = tmp_path / "hotpot.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    t1, t2 = env.load(path)
    assert t1.id == "hp1" and [d["title"] for d in t1.data["docs"]] == ["Ada Lune", "Morrow", "Kettle"]
    actions = [call("search", query="Ada Lune born"), call("read", doc_id="d0"),
               call("read", doc_id="d1"), say("Answer: River Sel")]
    msgs, score = play(env, t1, actions)
    assert "She was born in Morrow" in msgs[5]["content"] and score.status == "correct"
    assert play(env, t2, [call("read", doc_id="d0"), say("Answer: 1,802")])[1].status == "correct"
    assert play(env, t2, [say("Answer: 1,802")])[1].status == "wrong"  # never looked: a guess
    assert play(env, t2, [call("read", doc_id="d0"), say("Answer: 1803")])[1].status == "wrong"


def test_answer_must_be_shown_in_this_episode(env, tmp_path):
    task = next(t for t in env.generate(20, seed=0, difficulty=1) if t.meta["hops"] == 1
                and isinstance(t.data["answer"], str) and " " not in t.data["answer"])
    ans, name = task.data["answer"], task.data["path"][0]
    kb = env.knowledge_base(task)
    holder = next(d for d in kb.docs.values() if d.title == name)
    other = next(d for d in kb.docs.values() if ans.lower() not in d.text.lower())
    verdict = lambda actions: play(env, task, actions + [say(f"Answer: {ans}")])[1].status
    assert verdict([]) == "wrong"  # a guess
    assert verdict([call("search", query=ans)]) == "wrong"  # a search for the answer itself
    assert verdict([call("search", query=f"{ans} zzz")]) == "wrong"  # naming it, padded
    assert verdict([call("read", doc_id=other.id)]) == "wrong"  # a document without it
    assert verdict([call("read", doc_id="../../etc/passwd")]) == "wrong"  # a failed read
    assert verdict([call("read", doc_id=holder.id)]) == "correct"
    assert verdict([call("search", query=name)]) == ("correct" if ans.lower() in json.dumps(
        kb.search(name)).lower() else "wrong")  # a snippet for the entity may show it
    # A loaded yes/no question: no document holds "yes", so one successful read suffices.
    row = {"id": "yn", "question": "Is Morrow a town?", "answer": "yes",
           "context": [["Morrow", ["Morrow is a town."]]]}
    (tmp_path / "yn.jsonl").write_text(json.dumps(row))
    (yn,) = env.load(tmp_path / "yn.jsonl")
    assert play(env, yn, [say("Answer: yes")])[1].status == "wrong"
    assert play(env, yn, [call("read", doc_id="d0"), say("Answer: yes")])[1].status == "correct"


def test_mentions_compares_numbers_and_whole_names(env):
    from gymkit.envs.search_kb.env import mentions
    from gymkit.types import Task

    t = lambda answer, aliases=(): Task(id="x", env="search_kb", prompt=[],
                                        data={"answer": answer, "aliases": list(aliases)})
    assert mentions("has a population of 239,554.", t(239554))
    assert not mentions("has a population of 1239,554.", t(239554))
    assert mentions("on the banks of the River Embkes.", t("River Embkes", ["Embkes"]))
    assert not mentions("an engineering firm", t("engineer"))


@pytest.mark.parametrize("answer,gold,aliases,ok", [
    ("Port-Ellery.", "Port Ellery", [], True), ("the Zélwick", "Zelwick", [], True),
    ("Nevtha", "River Nevtha", ["Nevtha"], True), ("136,461", 136461, [], True),
    ("136461 people", 136461, [], True), ("136460", 136461, [], False),
    ("Port Ellery and Zelwick", "Port Ellery", [], False), ("", "x", [], False),
])
def test_short_answer_matching(answer, gold, aliases, ok):
    assert check_final_answer(f"Answer: {answer}", gold, aliases)[0] is ok
    assert normalise_text("  The  Hall-Mark's ") == "hall mark s"


@pytest.mark.parametrize("text, ok", [
    ("Answer: Embkes River", True), ("Answer: the embkes river", True), ("Answer: Embkes", True),
    ("Answer: River Embkes or River Vellun", False), ("Answer: River", False),
    ("Answer: Embkes, Vellun", False),
])
def test_river_names_in_either_word_order(text, ok):
    assert check_final_answer(text, "River Embkes", ["Embkes"])[0] is ok


def test_person_as_surname_comma_first():
    assert check_final_answer("Answer: Quist, Ardo", "Ardo Quist")[0]
    assert not check_final_answer("Answer: Ardo Quist or Ardo Quin", "Ardo Quist")[0]


def test_years_with_qualifiers_are_not_numbers():
    for text in ("Answer: 1934 or 1935", "Answer: at least 1934", "Answer: 1934 tops"):
        assert not check_final_answer(text, 1934)[0], text
