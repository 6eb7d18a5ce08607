import copy
import json
from pathlib import Path

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.workplace import WorkplaceEnv
from gymkit.envs.workplace.db import first_free, generate_db
from gymkit.envs.workplace.facts import parse_date, parse_time, told_problems
from gymkit.errors import GymkitError
from gymkit.tools import make_call

DATA = Path(__file__).resolve().parents[2] / "envs" / "workplace" / "data"


@pytest.fixture(scope="module")
def env():
    return WorkplaceEnv()


def task_of(env, kind, level=2):
    return next(t for t in env.generate(30, seed=3, difficulty=level) if kind in t.meta["kinds"])


def say(text):
    return {"role": "assistant", "content": text}


def call(name, args, i=0):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args, f"c{i}")]}


def test_check_env(env):
    assert check_env(env) == []


def test_gold_solves_every_level_and_kind(env):
    kinds = set()
    for level in env.difficulties:
        for t in env.generate(12, seed=5, difficulty=level):
            s = play(env, t, env.gold_actions(t))[1]
            assert (s.status, s.reward) == ("correct", 1.0), (t.id, s.info)
            kinds.update(t.meta["kinds"])
    assert kinds == {"schedule", "complete", "when", "move_after_offsite", "cancel_notify",
                     "manager_task", "cleanup_tasks"}


def test_gold_is_correct_for_every_task_of_seeds_0_to_5(env):
    # a combined task can name the manager among a cancelled meeting's attendees (seed 1, 3-5)
    bad = []
    for seed in range(6):
        for level in env.difficulties:
            for t in env.generate(6, seed=seed, difficulty=level):
                s = play(env, t, env.gold_actions(t))[1]
                if s.status != "correct":
                    bad.append((seed, t.id, s.info.get("reason")))
    assert bad == []


def test_harder_levels_need_more_steps(env):
    steps = {lv: sum(len(t.gold) for t in env.generate(15, seed=1, difficulty=lv)) / 15
             for lv in env.difficulties}
    assert steps[1] < steps[2] < steps[3]


def test_generation_is_deterministic_and_seeded(env):
    a = [t.model_dump() for t in env.generate(6, seed=2)]
    assert a == [t.model_dump() for t in env.generate(6, seed=2)]
    assert a != [t.model_dump() for t in env.generate(6, seed=9)]
    assert generate_db(4) == generate_db(4) and generate_db(4) != generate_db(5)
    easy, hard = generate_db(4, 1), generate_db(4, 3)
    assert len(hard["events"]) > len(easy["events"]) and len(hard["tasks"]) > len(easy["tasks"])


def test_first_free_skips_busy_hours_of_every_attendee():
    db = generate_db(11)
    me = db["people"][db["me"]]["email"]
    date, hour = first_free(db, [me], "2026-03-02", 9)
    mine = [e for e in db["events"].values() if me in e["attendees"] and e["date"] == date]
    assert all(not (int(e["start"][:2]) <= hour < int(e["end"][:2])) for e in mine)


def test_parsers():
    assert parse_time("3 pm") == parse_time("15:00") == parse_time("3:00 PM") == "15:00"
    assert parse_time("noon") == "12:00" and parse_time("13 pm") is None
    assert parse_date("Thursday") == parse_date("March 5") == parse_date("5th March") == "2026-03-05"


def test_told_rules():
    req = [{"kind": "time", "value": "15:00"}]
    shown = {"time": {"15:00", "16:00"}}
    ok = told_problems("Moved to 3 pm.", req, shown, [], shown)
    assert ok == []
    for text in ("Moved to 15:00 or 16:00.", "Moved to about 15:00.", "Free: 15:00, 16:00.",
                 "It is at 15:00. It is at 16:00.", "Moved to 15:00 (not 19:00)."):
        assert told_problems(text, req, shown, [], shown), text
    assert told_problems("Moved to 15:00.", req, {}, [], {})  # never shown: a guess


def test_a_group_list_is_not_a_hedge():
    names = ["Hana Adeyemi", "Marco Mendes", "Omar Castillo"]
    req = [{"kind": "name", "value": "Hana Adeyemi"}]
    shown = {"name": set(names)}
    lists = {"name": [names]}
    tail = "Sam's manager is Hana Adeyemi."
    for text in ("Emailed Hana Adeyemi, Marco Mendes, Omar Castillo.",
                 "Emailed Omar Castillo, Hana Adeyemi and Marco Mendes."):
        assert told_problems(f"{text} {tail}", req, shown, names, shown, lists) == [], text
        assert told_problems(f"{text} {tail}", req, shown, names, shown), text  # no group: a list
    for text in ("Emailed Hana Adeyemi, Marco Mendes or Omar Castillo. " + tail,
                 "Emailed Hana Adeyemi and Marco Mendes. " + tail,  # not the whole group
                 "Maybe I emailed Hana Adeyemi, Marco Mendes, Omar Castillo. " + tail,
                 "The manager is Hana Adeyemi, Marco Mendes, Omar Castillo.",  # never told alone
                 "The manager is Hana Adeyemi or Marco Mendes. " + tail):
        assert told_problems(text, req, shown, names, shown, lists), text
    # a group the tools did not show in full does not count
    assert told_problems(f"Emailed {', '.join(names)}. {tail}", req,
                         {"name": set(names)}, names, {"name": set(names[:2])}, lists)


def test_negated_facts_are_not_told():
    names = ["Lena Novak", "Tom Lee"]
    req = [{"kind": "date", "value": "2026-03-05"}, {"kind": "time", "value": "16:00"},
           {"kind": "name", "value": "Lena Novak"}, {"kind": "name", "value": "Tom Lee"}]
    shown = {"date": {"2026-03-05"}, "time": {"16:00", "15:00"}, "name": set(names)}
    ok = "It is on 2026-03-05 at 16:00, not 15:00. Lena Novak and Tom Lee are attending."
    assert told_problems(ok, req, shown, names, shown) == []
    for text in ("It is not on 2026-03-05 at 16:00. Lena Novak and Tom Lee are attending.",
                 "It is on 2026-03-05 at 16:00. Lena Novak and Tom Lee are not attending.",
                 "It is on 2026-03-05 at 16:00. Lena Novak and Tom Lee aren't attending.",
                 "It is on 2026-03-05 at 16:00; Lena Novak and Tom Lee attend. It isn't at 16:00."):
        assert any("negation" in p for p in told_problems(text, req, shown, names, shown)), text


def test_destructive_write_needs_a_named_confirmation(env):
    t = task_of(env, "cancel_notify")
    gold = copy.deepcopy(env.gold_actions(t))
    ask = next(i for i, m in enumerate(gold[:-1]) if not m.get("tool_calls"))
    assert play(env, t, gold)[1].status == "correct"
    s = play(env, t, gold[:ask] + gold[ask + 1:])[1]
    assert s.status == "wrong" and s.components["confirmed"] == 0.0 and s.components["db_match"] == 1.0
    gold[ask] = say("Can I go ahead? Please confirm.")
    assert play(env, t, gold)[1].components["confirmed"] == 0.0


def test_extra_or_missing_writes_fail(env):
    t = task_of(env, "move_after_offsite")
    gold = env.gold_actions(t)
    extra = gold[:-1] + [call("create_task", {"title": "x", "assignee_email":
                                              env.reset(t).state["db"]["people"]["p01"]["email"],
                                              "due_date": "Friday"}), gold[-1]]
    for actions in (extra, gold[:-3] + gold[-1:], [gold[-1]]):
        s = play(env, t, actions)[1]
        assert s.status == "wrong" and s.components["db_match"] == 0.0


def test_a_deletion_left_undone_fails(env):
    t = task_of(env, "cleanup_tasks")
    gold = env.gold_actions(t)
    kept = [m for m in gold if not (m.get("tool_calls")
                                    and m["tool_calls"][0]["function"]["name"] == "delete_task")]
    s = play(env, t, kept)[1]
    assert s.status == "wrong" and s.components["db_match"] == 0.0


def test_hedged_final_message_fails(env):
    t = task_of(env, "move_after_offsite")
    time = next(r["value"] for r in t.data["required"] if r["kind"] == "time")
    other = "16:00" if time != "16:00" else "15:00"
    s = play(env, t, env.gold_actions(t)[:-1] + [say(f"It is at {time} or {other}.")])[1]
    assert s.status == "wrong" and s.components["info_told"] == 0.0


def test_tool_errors_are_observations(env):
    t = task_of(env, "complete", level=1)
    ep = env.reset(t)
    bad = [make_call("move_event", {"event_id": "nope", "date": "Sunday", "start": "3 am"}, "a"),
           make_call("search_people", {"query": ""}, "b"),
           make_call("send_email", {"to": ["stranger@evil.example"], "subject": "s", "body": "b"}, "c")]
    out = env.step(ep, {"role": "assistant", "content": "", "tool_calls": bad})
    assert not out.done and all(o["content"].startswith("error") for o in out.observation)
    assert ep.state["db"] == ep.state["start"]


def test_rows_load_with_gold(env, tmp_path):
    t = task_of(env, "cancel_notify")
    db = generate_db(t.data["db_seed"])
    me = db["people"][db["me"]]["email"]
    ev = next(e for e in db["events"].values() if me in e["attendees"])
    row = {"id": "r1", "db_seed": t.data["db_seed"], "request": f"Cancel {ev['id']}.",
           "actions": [{"name": "cancel_event", "kwargs": {"event_id": ev["id"]}}]}
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    task = env.load(str(path))[0]
    assert task.id == "r1" and play(env, task, env.gold_actions(task))[1].status == "correct"
    with pytest.raises(GymkitError, match="not a tool"):
        env.task_from_row({**row, "actions": [{"name": "rm_rf"}]}, 0)


def test_example_files_replay(env):
    rows = [json.loads(x) for x in (DATA / "example.jsonl").read_text().splitlines()]
    assert len(rows) == 5
    for r in (DATA / "example_rollouts.jsonl").read_text().splitlines():
        ro = json.loads(r)
        from gymkit.types import Task
        task = Task.model_validate(ro["task"])
        actions = [m for m in ro["messages"][len(task.prompt):] if m["role"] == "assistant"]
        assert play(env, task, actions)[1].status == ro["status"]
