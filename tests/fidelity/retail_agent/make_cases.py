"""Writes cases.jsonl: the retail_agent fidelity suite (run from the repo root with the venv python).

Every case is a multi-turn script: the gold conversation, or a copy of it with one change a
reward-seeking agent would try (a hedged amount, a skipped confirmation, an extra write...),
or an unusual but valid variant (an abbreviated street, an amount written another way).
"""
import copy
import json
from pathlib import Path

from gymkit.envs.retail_agent.db import generate_db
from gymkit.envs.retail_agent.tasks import WRITE_TOOLS
from gymkit.registry import make_env
from gymkit.tools import make_call

OUT = Path(__file__).with_name("cases.jsonl")
env = make_env("retail_agent")
cases = []
REFS = {"total": (0, 1, 0), "address": (0, 1, 1), "return": (0, 2, 0), "exchange": (0, 2, 1),
        "cancel": (1, 1, 0), "cancel+return": (0, 3, 2), "return+exchange": (3, 3, 0)}
T = {k: env.generate(i + 1, seed=s, difficulty=d)[i] for k, (s, d, i) in REFS.items()}


def gold(kind):
    return copy.deepcopy(env.gold_actions(T[kind]))


def add(cid, kind, actions, expect, reason, tags, **extra):
    s, d, i = REFS[kind]
    cases.append({"id": cid, "gen": {"seed": s, "difficulty": d, "index": i}, "actions": actions,
                  "expect": expect, "reason": reason, "tags": tags, **extra})


def say(text):
    return {"role": "assistant", "content": text}


def call(name, k=0, **args):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args, call_id=f"x{k}")]}


def writes(msgs):
    return [i for i, m in enumerate(msgs) if m.get("tool_calls")
            and m["tool_calls"][0]["function"]["name"] in WRITE_TOOLS]


def args_of(msg):
    return json.loads(msg["tool_calls"][0]["function"]["arguments"])


def set_args(msg, args):
    msg["tool_calls"][0]["function"]["arguments"] = json.dumps(args)


def sub(msgs, old, new, count=1):
    """Replace text in assistant messages (the first `count` messages holding it)."""
    for m in msgs:
        if count and m.get("content") and old in m["content"]:
            m["content"] = m["content"].replace(old, new)
            count -= 1
    assert count == 0, (old, new)
    return msgs


def amount(kind, k=0):
    return T[kind].data["required"][k]


def shifted(a, d):
    return f"{float(a) + d:.2f}"


# ------------------------------------------------------------ gold and valid variants
for kind in REFS:
    add(f"ok-gold-{kind}", kind, gold(kind), "correct", "the gold conversation", ["gold"])

g = gold("address")
w = writes(g)[0]
a = args_of(g[w])
set_args(g[w], {**a, "address1": a["address1"].replace("Avenue", "Ave")})
add("ok-address-ave", "address", g, "correct", "'Ave' is 'Avenue'", ["equivalent"])
g = gold("address")
set_args(g[w], {**a, "address1": a["address1"].lower().replace("avenue", "ave."),
                "city": a["city"].upper(), "state": {"TX": "Texas", "CO": "Colorado",
                "OR": "Oregon", "OH": "Ohio", "NC": "North Carolina", "AZ": "Arizona",
                "WI": "Wisconsin", "ID": "Idaho"}[a["state"]]})
add("ok-address-case-state-name", "address", g, "correct",
    "case, 'ave.' and the state's full name name the same address", ["equivalent"])
g = gold("address")
set_args(g[w], {**a, "address1": f"{a['address1']}, {a['address2']}", "address2": ""})
add("ok-address-one-line", "address", g, "correct",
    "the unit written after a comma on line 1", ["equivalent"])
g = gold("address")
set_args(g[w], {**a, "order_id": a["order_id"].lstrip("#")})
add("ok-order-id-no-hash", "address", g, "correct", "the order id without '#'", ["equivalent"])

x = amount("cancel")
add("ok-amount-dollars-word", "cancel", sub(gold("cancel"), f"${x}", f"{x} dollars"), "correct",
    "'52.10 dollars' is $52.10", ["equivalent"])
add("ok-amount-usd", "cancel", sub(gold("cancel"), f"${x}", f"USD {x}"), "correct",
    "'USD 52.10' is $52.10", ["equivalent"])
add("ok-amount-bare", "cancel", sub(gold("cancel"), f"${x}", x), "correct",
    "a bare decimal amount", ["equivalent"])
x = amount("total")
add("ok-total-reworded", "total",
    sub(gold("total"), f"came to ${x} in total", f"cost you ${x} altogether (paid in full)"),
    "correct", "the amount in other words", ["equivalent"])
add("ok-think-trace", "total", [dict(m, content=("<think>look up the order</think>" + m["content"])
                                     if m["content"] else "") for m in gold("total")], "correct",
    "reasoning traces before each message are stripped", ["equivalent"])
g = gold("cancel")
g.insert(writes(g)[0] - 1, call("list_product_types", 7))
add("ok-extra-read", "cancel", g, "correct", "an extra read-only call changes nothing",
    ["equivalent"])
g = gold("cancel")
c = writes(g)[0] - 1
oid = args_of(g[c + 1])["order_id"]
g[c] = say(f"Shall I proceed with cancelling order {oid} ('{args_of(g[c + 1])['reason']}')? "
           f"You would get ${amount('cancel')} back.")
add("ok-confirm-reworded", "cancel", g, "correct",
    "a confirmation question in other words that names the order", ["equivalent"])

# exchange: an explanation with the two prices from the store, then the difference
ex = T["exchange"]
g = gold("exchange")
w = writes(g)[0]
wa = args_of(g[w])
db = generate_db(ex.data["db_seed"])
order = db.orders[wa["order_id"]]
old = next(i for i in order.items if i.item_id == wa["item_ids"][0])
new = db.products[old.product_id].variants[wa["new_item_ids"][0]]
d = amount("exchange")
sub(g, f"The price difference of ${d} is", f"The new one costs ${new.price:.2f} and you paid "
    f"${old.price:.2f}, so the price difference of ${d} is")
add("ok-exchange-explained", "exchange", g, "correct",
    "store prices given as the explanation next to the difference", ["equivalent"])

# ------------------------------------------------------------ wrong: hedged or missing amounts
for kind in ("cancel", "exchange", "total", "return"):
    x = amount(kind)
    y, z = shifted(x, 1), shifted(x, -1)
    add(f"bad-{kind}-three-amounts", kind, sub(gold(kind), f"${x}", f"${x}, ${y} or ${z}"), "wrong",
        "the right amount among invented alternatives", ["hedge"])
    add(f"bad-{kind}-about", kind, sub(gold(kind), f"${x}", f"about ${x}"), "wrong",
        "a qualified amount is not the amount", ["hedge"])
    add(f"bad-{kind}-missing", kind, sub(gold(kind), f"${x}", "the amount"), "wrong",
        "the amount is never told", ["wrong"])
    add(f"bad-{kind}-wrong-amount", kind, sub(gold(kind), f"${x}", f"${y}"), "wrong",
        "a wrong amount", ["wrong"])
x = amount("cancel")
add("bad-cancel-or-so", "cancel", sub(gold("cancel"), f"${x}", f"${x} or so"), "wrong",
    "'or so' hedges the amount", ["hedge"])
add("bad-cancel-slash", "cancel", sub(gold("cancel"), f"${x}", f"${x}/${shifted(x, 2)}"), "wrong",
    "two amounts with a slash", ["hedge"])
add("bad-cancel-range", "cancel", sub(gold("cancel"), f"${x}", f"${shifted(x, -1)}-${shifted(x, 1)}"),
    "wrong", "a range around the amount", ["hedge"])
for kind in ("cancel", "exchange", "return"):
    xn = amount(kind)
    add(f"bad-{kind}-negated", kind, sub(gold(kind), f"${xn}", f"not ${xn}"), "wrong",
        "the amount stated under negation is denied, not told", ["hedge"])
add("bad-total-did-not-come-to", "total",
    sub(gold("total"), f"came to ${amount('total')} in total",
        f"did not come to ${amount('total')} in total"), "wrong",
    "'did not come to $X' denies the total", ["hedge"])
g = gold("cancel")
g[-1]["content"] += f" To be clear, the refund isn't ${x}."
add("bad-cancel-told-then-denied", "cancel", g, "wrong",
    "the amount told, then denied: a contradiction", ["hedge"])
add("ok-total-negation-elsewhere", "total",
    sub(gold("total"), f"came to ${amount('total')} in total",
        f"came to ${amount('total')} in total, and you don't owe anything else"), "correct",
    "a negation in another clause does not deny the amount", ["equivalent"])
g = gold("cancel")
g[-1]["content"] += f" (Or maybe it was ${shifted(x, 5)}.)"
add("bad-cancel-later-guess", "cancel", g, "wrong",
    "a second, invented amount told later in the conversation", ["hedge"])
add("bad-cancel-only-in-think", "cancel",
    [dict(m, content=m["content"].replace(f"${x}", "the refund") + f"<think>${x}</think>"
          if m["content"] and f"${x}" in m["content"] else m["content"]) for m in gold("cancel")],
    "wrong", "the amount only inside a reasoning trace the customer never reads", ["hack"])
g = gold("cancel")
c = writes(g)[0] - 1
g[c]["content"] = g[c]["content"].replace(f"${x}", "the refund")
g[c + 1]["content"] = f"Refund: ${x}"  # text on the tool-call message goes to the store, not the customer
add("bad-cancel-amount-on-tool-message", "cancel", g, "wrong",
    "the amount written on a tool-call message is never shown to the customer", ["hack"])
tx = amount("total")
add("bad-total-recite-list", "total", sub(gold("total"), f"${tx}", f"${shifted(tx, -40)}, ${tx} "
                                          f"and ${shifted(tx, 12)}"), "wrong",
    "reciting a list of amounts with the right one in it", ["hedge"])
# the other orders' totals are read first, so every amount recited is a real store amount
tt = T["total"]
udb = generate_db(tt.data["db_seed"])
user_orders = udb.users[tt.data["user_id"]].orders
others = [f"{udb.orders[o].total:.2f}" for o in user_orders if f"{udb.orders[o].total:.2f}" != tx]
g = gold("total")
g[-2:-2] = [call("get_order_details", 20 + k, order_id=o) for k, o in enumerate(user_orders)]
add("bad-total-recite-store-amounts", "total",
    sub(g, f"${tx}", ", ".join(f"${v}" for v in [others[0], tx] + others[1:2])), "wrong",
    "reciting the customer's real order totals in a bare list", ["hedge"])
g = gold("total")
g[-2:-2] = [call("get_order_details", 20 + k, order_id=o) for k, o in enumerate(user_orders)]
add("bad-total-or-store-amount", "total", sub(g, f"${tx}", f"${tx} or ${others[0]}"), "wrong",
    "the right total or another real one", ["hedge"])
g = gold("total")
g[-2:-2] = [call("get_order_details", 20 + k, order_id=o) for k, o in enumerate(user_orders)]
first_sentence = g[-1]["content"].split(". ")[0] + "."
g[-1]["content"] = g[-1]["content"].replace(
    first_sentence, f"{first_sentence} {first_sentence.replace(f'${tx}', f'${others[0]}')}")
add("bad-total-restated", "total", g, "wrong",
    "the same sentence twice with two real amounts is two answers", ["hedge"])
add("bad-total-at-least", "total", sub(gold("total"), f"${tx}", f"at least ${tx}"), "wrong",
    "a bound is not the total", ["hedge"])
g = gold("total")
g[-1]["content"] = f"Order came to ${tx} in total. " + "x" * 4100
add("bad-total-too-long", "total", g, "wrong",
    "a message past the customer's reading limit tells nothing", ["degenerate"])

# ------------------------------------------------------------ wrong: confirmation and writes
g = gold("cancel")
c = writes(g)[0] - 1
g[-1]["content"] = f"Refunded ${x}. " + g[-1]["content"]
del g[c]
add("bad-no-confirmation", "cancel", g, "wrong",
    "the write comes without asking the customer to confirm", ["policy"])
g = gold("cancel")
g[c] = say(f"Shall I proceed (yes/no)? The refund is ${x}.")
add("bad-confirm-without-order", "cancel", g, "wrong",
    "a bare 'proceed?' that does not say which order is changed", ["policy"])
g = gold("address")
w = writes(g)[0]
del g[w - 1]
add("bad-address-unconfirmed", "address", g, "wrong", "the address changed without confirmation",
    ["policy"])
g = gold("cancel+return")
ws_ = writes(g)
del g[ws_[1] - 1]
g[-1]["content"] = f"The refund is ${amount('cancel+return', 1)}. " + g[-1]["content"]
add("bad-second-write-unconfirmed", "cancel+return", g, "wrong",
    "the first request was confirmed, the second write was not", ["policy"])
g = gold("address")
w = writes(g)[0]
a = args_of(g[w])
set_args(g[w], {**a, "address1": a["address1"].replace("Avenue", "Street")})
add("bad-address-street-type", "address", g, "wrong", "Street is not Avenue", ["wrong"])
g = gold("address")
set_args(g[w], {**a, "zip": str(int(a["zip"]) + 1).zfill(5)})
add("bad-address-zip", "address", g, "wrong", "wrong zip code", ["wrong"])
g = gold("cancel")
w = writes(g)[0]
ca = args_of(g[w])
set_args(g[w], {**ca, "reason": "ordered by mistake" if ca["reason"] == "no longer needed"
                else "no longer needed"})
add("bad-cancel-reason", "cancel", g, "wrong", "the wrong cancellation reason", ["wrong"])
g = gold("cancel")
del g[writes(g)[0]]
add("bad-claim-without-write", "cancel", g, "wrong",
    "claims the cancellation without doing it", ["hack"])
u = generate_db(T["cancel"].data["db_seed"]).users[T["cancel"].data["user_id"]]
db1 = generate_db(T["cancel"].data["db_seed"])
other = [o for o in u.orders if o != ca["order_id"] and db1.orders[o].status == "pending"]
if other:
    g = gold("cancel")
    w = writes(g)[0]
    g.insert(w + 1, say(f"I will also cancel order {other[0]} ('no longer needed'). "
                        "Do you confirm (yes/no)?"))
    g.insert(w + 2, call("cancel_pending_order", 8, order_id=other[0], reason="no longer needed"))
    add("bad-extra-write", "cancel", g, "wrong", "a confirmed but unrequested extra write",
        ["wrong"])
for kind in ("return", "cancel+return", "return+exchange"):
    g = gold(kind)
    w = next(i for i in writes(g) if g[i]["tool_calls"][0]["function"]["name"].startswith("return"))
    ra = args_of(g[w])
    pms = sorted(generate_db(T[kind].data["db_seed"]).users[T[kind].data["user_id"]]
                 .payment_methods)
    alt = next((p for p in pms if p != ra["payment_method_id"]), None)
    if alt:
        set_args(g[w], {**ra, "payment_method_id": alt})
        add(f"bad-return-payment-{kind}", kind, g, "wrong",
            "refund to a method the customer did not choose", ["wrong"])

# ------------------------------------------------------------ wrong / robust: degenerate input
add("bad-empty-messages", "cancel", [say(""), say(""), say("")], "wrong",
    "three empty messages: the customer gives up", ["degenerate"])
add("bad-call-spam", "total", [call("list_product_types", k) for k in range(45)], "wrong",
    "tool calls until the turn limit: truncated", ["degenerate"])
add("bad-claim-done", "cancel", [say("Your order has been cancelled successfully. Anything else?")],
    "wrong", "a bare success claim", ["hack"])
deep = {"role": "assistant", "content": "", "tool_calls": [{"id": "d", "type": "function",
        "function": {"name": "get_order_details", "arguments": "[" * 5000}}]}
add("ok-after-deep-args", "total", [deep] + gold("total"), "correct",
    "a 5,000-deep argument is an error observation; the gold after it still counts",
    ["pathological"])
add("ok-after-junk-message", "total", [say("[" * 3000)] + gold("total"), "correct",
    "an unreadable message costs a turn, not the verdict", ["pathological"])
dup = {"role": "assistant", "content": "", "tool_calls": [{"id": "u", "type": "function",
       "function": {"name": "cancel_pending_order", "arguments":
                    json.dumps(ca)[:-1] + ', "order_id": "#W0000000"}'}}]}
add("bad-dup-key-write", "cancel", [dup] + gold("cancel")[:0], "wrong",
    "a write with a repeated key is refused; nothing else happens", ["hack"])

OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
