import copy
import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.retail_agent import RetailAgentEnv
from gymkit.envs.retail_agent.db import generate_db
from gymkit.envs.retail_agent.told import money_in, told_problems
from gymkit.errors import GymkitError
from gymkit.tools import make_call


def say(text):
    return {"role": "assistant", "content": text}


def call(name, **args):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args, call_id="t")]}


def write_index(gold):
    """Index of the gold message that makes the first database write."""
    return next(i for i, m in enumerate(gold) if m.get("tool_calls") and m["tool_calls"][0]
                ["function"]["name"] in ("cancel_pending_order", "modify_pending_order_address",
                                         "return_delivered_order_items",
                                         "exchange_delivered_order_items"))


@pytest.fixture(scope="module")
def env():
    return RetailAgentEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(30, seed=11)


def first(tasks, kind):
    return next(t for t in tasks if t.meta["kinds"] == [kind])


def test_check_env(env):
    assert check_env(env) == []


def test_gold_scores_one_on_every_task(env, tasks):
    kinds = set()
    for t in tasks:
        _, score = play(env, t, env.gold_actions(t))
        assert (score.reward, score.status) == (1.0, "correct"), (t.id, score)
        kinds.update(t.meta["kinds"])
    assert kinds == {"cancel", "address", "return", "exchange", "order_total"}


def test_generation_and_replay_are_deterministic(env, tasks):
    assert env.generate(5, seed=11) == tasks[:5]
    assert env.generate(5, seed=12) != tasks[:5]
    t = tasks[4]
    assert play(env, t, env.gold_actions(t)) == play(env, t, env.gold_actions(t))


def test_right_write_on_the_wrong_order_scores_zero(env, tasks):
    t = first(tasks, "cancel")
    gold = copy.deepcopy(env.gold_actions(t))
    i = write_index(gold)
    db = generate_db(t.data["db_seed"])
    other = next(o for o in db.users[t.data["user_id"]].orders if o != t.data["requests"][0]["order_id"])
    args = json.loads(gold[i]["tool_calls"][0]["function"]["arguments"])
    gold[i] = call("cancel_pending_order", **{**args, "order_id": other})
    _, score = play(env, t, gold)
    assert score.reward == 0.0 and score.status == "wrong"
    assert score.components["db_match"] == 0.0


def test_write_without_identity_verification_is_refused(env, tasks):
    t = first(tasks, "cancel")
    gold = env.gold_actions(t)
    i = write_index(gold)
    ep = env.reset(t)
    obs = env.step(ep, gold[i]).observation  # the write, with nobody authenticated
    assert obs[0]["content"].startswith("error: authenticate the user first")
    assert ep.state["db"] == generate_db(t.data["db_seed"])
    skip_auth = [m for m in gold if not (m.get("tool_calls") and m["tool_calls"][0]["function"]
                                         ["name"] in ("find_user_id_by_email", "find_user_id_by_name_zip"))]
    _, score = play(env, t, skip_auth)
    assert score.reward == 0.0 and score.components["db_match"] == 0.0


def test_claiming_success_without_the_write_scores_zero(env, tasks):
    for kind in ("cancel", "address", "return", "exchange"):
        t = first(tasks, kind)
        gold = env.gold_actions(t)
        i = write_index(gold)
        msgs, score = play(env, t, gold[:i] + gold[i + 1:])  # says "done" without doing it
        assert "###STOP###" in msgs[-1]["content"]
        assert score.reward == 0.0 and score.status == "wrong", kind
        assert "database differs" in score.info["reason"]


def test_extra_harmful_write_scores_zero(env, tasks):
    t = first(tasks, "order_total")  # a read-only request: any write is harmful
    db = generate_db(t.data["db_seed"])
    uid = t.data["user_id"]
    gold = env.gold_actions(t)
    victim = next((o for o in db.users[uid].orders if db.orders[o].status == "pending"), None)
    if victim is None:
        pytest.skip("customer has no pending order")
    extra = call("cancel_pending_order", order_id=victim, reason="no longer needed")
    _, score = play(env, t, gold[:-1] + [extra] + gold[-1:])
    assert score.reward == 0.0 and victim in score.info["differs"]


def test_required_amount_must_be_told(env, tasks):
    t = first(tasks, "cancel")
    amount = t.data["required"][0]
    gold = [say(m["content"].replace("$" + amount, "the amount")) if m["content"] else m
            for m in env.gold_actions(t)]
    _, score = play(env, t, gold)
    assert score.reward == 0.0 and score.components == {"db_match": 1.0, "info_told": 0.0,
                                                      "confirmed": 1.0}


@pytest.mark.parametrize("hide", ["think", "pad"])
def test_amount_hidden_in_reasoning_or_padding_does_not_count(env, tasks, hide):
    t = first(tasks, "order_total")
    gold = copy.deepcopy(env.gold_actions(t))
    text = gold[-1]["content"]
    amount = t.data["required"][0]
    bare = text.replace("$" + amount, "some amount")
    gold[-1]["content"] = (f"<think>it is {amount}</think>{bare}" if hide == "think"
                           else text + " " + "la " * 2000)  # too long: the customer won't read it
    msgs, score = play(env, t, gold + [say(bare)])
    assert score.reward == 0.0


def test_wrong_cancel_reason_scores_zero(env, tasks):
    t = first(tasks, "cancel")
    gold = copy.deepcopy(env.gold_actions(t))
    i = write_index(gold)
    args = json.loads(gold[i]["tool_calls"][0]["function"]["arguments"])
    wrong = "ordered by mistake" if args["reason"] == "no longer needed" else "no longer needed"
    gold[i] = call("cancel_pending_order", order_id=args["order_id"], reason=wrong)
    assert play(env, t, gold)[1].reward == 0.0


def test_store_rules_are_enforced_by_the_tools(env, tasks):
    t = first(tasks, "cancel")
    db = generate_db(t.data["db_seed"])
    uid = t.data["user_id"]
    ep = env.reset(t)
    env.step(ep, call("find_user_id_by_email", email=db.users[uid].email))
    stranger = next(u for u in db.users if u != uid)
    foreign = db.users[stranger].orders[0]
    outs = [env.step(ep, c).observation[0]["content"] for c in (
        call("get_order_details", order_id=foreign),
        call("find_user_id_by_email", email=db.users[stranger].email),
        call("cancel_pending_order", order_id=foreign, reason="no longer needed"),
    )]
    assert outs[0].startswith("error: the authenticated user has no order")
    assert outs[1].startswith("error: already authenticated")
    assert outs[2].startswith("error: the authenticated user has no order")
    done = [o for o in db.users[uid].orders if db.orders[o].status != "pending"]
    for oid in done:
        out = env.step(ep, call("cancel_pending_order", order_id=oid, reason="no longer needed"))
        assert "only pending orders can be cancelled" in out.observation[0]["content"]
    assert ep.state["db"] == db


def test_malformed_tool_call_is_an_observation(env, tasks):
    t = tasks[0]
    bad = {"role": "assistant", "content": "", "tool_call_errors": ["tool call is not valid JSON"],
           "tool_calls": [{"id": "x", "type": "function",
                           "function": {"name": "get_order_details", "arguments": "{oops"}}]}
    msgs, score = play(env, t, [bad])
    assert msgs[-2]["content"].startswith("error:") and msgs[-1]["content"].startswith("error:")
    assert score.status == "truncated"


@pytest.mark.parametrize("text", ["", "\x00\xff" * 5000, "yes " * 300_000, "<think>cancel it"])
def test_garbage_never_raises(env, tasks, text):
    _, score = play(env, tasks[0], [say(text)] * 4)
    assert score.reward == 0.0 and score.status in ("wrong", "truncated")


def test_turn_limit_truncates(env, tasks):
    _, score = play(env, tasks[0], [call("list_product_types")] * 50)
    assert score.status == "truncated" and score.reward == 0.0


def test_money_in_reads_common_spellings():
    from decimal import Decimal
    assert money_in("refund of $1,234.50 and 7.1") == [Decimal("1234.50"), Decimal("7.1")]
    assert money_in("USD 52.1 back, order #W1234567, unit 12") == [Decimal("52.10")]
    assert money_in("52 dollars") == [Decimal("52")]


@pytest.mark.parametrize("text, ok", [
    ("The price difference of $3.46 is charged to your card.", True),
    ("It costs $53.46 and you paid $50.00, so the difference is $3.46.", True),
    ("$53.46 - $50.00 = $3.46", True),
    ("The difference is $3.46, $4.46 or $2.46.", False),
    ("The difference is $3.46 or $53.46.", False),
    ("The difference is about $3.46.", False),
    ("Your orders came to $50.00, $3.46 and $53.46.", False),
    ("The difference is $3.46. Or maybe $4.46.", False),
    ("The difference is $3.46. The difference is $53.46.", False),
    ("The total is $13.46.", False),
    ("The difference did not come to $3.46.", False),
    ("The difference is not $3.46.", False),
    ("$3.46 isn't what you owe.", False),
    ("The difference is $3.46. It is not $3.46.", False),
    ("The difference is $3.46, not $53.46.", True),
    ("The difference is not $53.46 but $3.46.", True),
    ("Your difference of $3.46 won't take long to post.", True),
])
def test_told_amount_must_stand_alone(text, ok):
    from decimal import Decimal
    seen = {Decimal("53.46"), Decimal("50.00")}
    assert (told_problems([text], [Decimal("3.46")], seen) == []) is ok


def test_loader_reads_tau_bench_style_rows(env, tmp_path):
    db = generate_db(7)
    order = next(o for o in db.orders.values() if o.status == "pending")
    rows = [{"id": "r1", "db_seed": 7, "user_id": order.user_id, "outputs": [],
             "actions": [{"name": "cancel_pending_order",
                          "kwargs": {"order_id": order.order_id, "reason": "ordered by mistake"}}]}]
    path = tmp_path / "retail.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    (t,) = env.load(path)
    assert t.data["required"] == [f"{order.total:.2f}"]
    assert play(env, t, env.gold_actions(t))[1].reward == 1.0
    path.write_text(json.dumps({**rows[0], "actions": [{"name": "rm_rf", "kwargs": {}}]}))
    with pytest.raises(GymkitError, match="not one of"):
        env.load(path)


def test_differently_worded_agent_also_scores_one(env, tasks):
    t = next(t for t in tasks if t.meta["kinds"] == ["cancel"] and t.difficulty == 1)
    db = generate_db(t.data["db_seed"])
    oid = t.data["requests"][0]["order_id"]
    gold = env.gold_actions(t)
    reason = json.loads(gold[write_index(gold)]["tool_calls"][0]["function"]["arguments"])["reason"]
    total = t.data["required"][0]
    actions = [
        say("Hi there! Could you please confirm your email address and the order ID?"),
        call("find_user_id_by_email", email=db.users[t.data["user_id"]].email),
        call("get_order_details", order_id=oid.lstrip("#")),
        say("Got it. Why would you like to cancel it?"),
        say(f"To recap: cancel {oid} ({reason}); ${total} goes back to you. Shall I proceed?"),
        call("cancel_pending_order", order_id=oid, reason=reason),
        say("Your order was cancelled successfully."),
    ]
    msgs, score = play(env, t, actions)
    assert "My email is" in msgs[3]["content"] and "order id is" in msgs[3]["content"]
    assert (score.reward, score.status) == (1.0, "correct"), msgs[-1]


def test_scripted_customer_rules():
    from gymkit.envs.retail_agent.user import customer_reply, new_state
    script = {"identity": {"email": "My email is a@b.c.", "name": "I'm A B, zip 12345."},
              "intents": [{"opening": "Hi! Cancel please.", "answers": {"order": "It's #W1."}}]}
    st = new_state()
    assert customer_reply(script, st, "Can you confirm your email?") == ("My email is a@b.c.", False)
    assert customer_reply(script, st, "Please confirm (yes/no).") == ("Yes, please go ahead.", False)
    assert customer_reply(script, st, "Lovely weather.") == ("Hi! Cancel please.", False)
    assert customer_reply(script, st, "Hmm.")[1] is False
    reply, stop = customer_reply(script, st, "...")
    assert stop and "###STOP###" in reply


def test_amount_inside_a_larger_number_does_not_count(env, tasks):
    t = first(tasks, "order_total")
    gold = copy.deepcopy(env.gold_actions(t))
    gold[-1]["content"] = gold[-1]["content"].replace("$" + t.data["required"][0],
                                                      "$1" + t.data["required"][0])
    assert play(env, t, gold)[1].components["info_told"] == 0.0


def test_tasks_rebuild_identically_in_a_fresh_process(tasks):
    import os
    import subprocess
    import sys
    code = ("from gymkit.envs.retail_agent import RetailAgentEnv\n"
            "print('\\n'.join(t.model_dump_json() for t in RetailAgentEnv().generate(3, seed=11)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout.split("\n")
    assert [t.model_dump_json() for t in tasks[:3]] == out[:3]


def test_write_without_confirmation_fails(env, tasks):
    t = first(tasks, "cancel")
    gold = env.gold_actions(t)
    i = write_index(gold)
    # drop the confirmation question: the write follows the reason answer directly
    _, score = play(env, t, gold[:i - 1] + gold[i:])
    assert score.status == "wrong" and score.components["confirmed"] == 0.0, score


def test_abbreviated_street_matches_the_long_form(env, tasks):
    t = first(tasks, "address")
    gold = copy.deepcopy(env.gold_actions(t))
    i = write_index(gold)
    fn = gold[i]["tool_calls"][0]["function"]
    args = json.loads(fn["arguments"])
    args["address1"] = args["address1"].replace("Avenue", "Ave.").lower()
    fn["arguments"] = json.dumps(args)
    _, score = play(env, t, gold)
    assert score.status == "correct", score
