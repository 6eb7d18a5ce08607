"""Writes cases.jsonl: the ifeval fidelity suite (run from the repo root with the venv python).

Cases are written the way a reward-seeking policy would try: filler, repeated passages, echoed
prompts, two drafts, contradictory fixed answers, binary, floods, deep JSON; plus golds and
natural answers in unusual valid forms.
"""
import json
import random
from pathlib import Path

from gymkit.registry import make_env

OUT = Path(__file__).with_name("cases.jsonl")
CASES: list[dict] = []


def task(tid: str, constraints: list[tuple[str, dict]], prompt: str = "Write a short essay.") -> dict:
    return {"id": f"fid-{tid}", "env": "ifeval", "prompt": [{"role": "user", "content": prompt}],
            "data": {"constraints": [{"id": i, "kwargs": k} for i, k in constraints]}}


def add(cid: str, expect: str, reason: str, tags: list[str], *, t: dict | None = None,
        gen: dict | None = None, response: str | None = None, response_gen: dict | None = None,
        **extra) -> None:
    case = {"id": cid, **({"gen": gen} if gen else {"task": t}), "expect": expect,
            "reason": reason, "tags": tags}
    case.update({"response": response} if response_gen is None else {"response_gen": response_gen})
    CASES.append({**case, **extra})


ESSAY = ("Night trains have a way of slowing the world down. You board in the evening with a "
         "small bag and a book, and the city lights slide away behind the window. The carriage "
         "rocks gently while the conductor checks tickets and hands out thin blankets. Somewhere "
         "after midnight the train stops at a quiet station where nobody gets on. By morning the "
         "landscape has changed completely: mountains have replaced suburbs, and breakfast "
         "arrives on a tray that smells of strong coffee.")
ESSAY_LOWER = ESSAY.lower()
ESSAY_NO_COMMA = ESSAY.replace(",", "")
LONG = " ".join([
    "Learning to bake bread at home teaches patience in a way few hobbies do.",
    "The first loaf is usually dense, pale and a little disappointing.",
    "Flour, water, salt and yeast look simple on paper, yet every kitchen behaves differently.",
    "Warm rooms make dough rise quickly, while a cold winter morning can double the waiting time.",
    "Most beginners knead too little and bake too briefly, which explains the gummy centre.",
    "A cheap oven thermometer often reveals that the dial has been lying for years.",
    "Over a few weeks you start to read the dough instead of the recipe.",
    "It should feel tacky but not sticky, and it should spring back slowly when pressed.",
    "Sourdough adds another layer, because the starter is a living culture with moods of its own.",
    "Feeding it becomes a small daily ritual, like watering a plant on the windowsill.",
    "Friends notice the change before you do, mostly because they get the spare loaves.",
    "Eventually the crust crackles as it cools and the crumb shows open, irregular holes.",
    "That sound is the best reward for the hours spent waiting by the oven door.",
    "Nobody needs expensive equipment; a heavy pot with a lid does most of the work.",
    "What matters more is attention, curiosity and the willingness to fail a few times.",
    "In the end, homemade bread is less about food than about slowing down.",
])


def gold_cases() -> None:
    env = make_env("ifeval")
    for seed, diff in [(0, 1), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 3), (7, 2)]:
        gold = env.generate(1, seed=seed, difficulty=diff)[0].gold_text
        add(f"gold-s{seed}-d{diff}", "correct", "the generator's gold obeys every instruction",
            ["gold"], gen={"seed": seed, "difficulty": diff, "index": 0}, response=gold)
    gold = env.generate(1, seed=0, difficulty=2)[0].gold_text
    add("gold-after-think", "correct", "reasoning before </think> is not scored", ["gold", "equivalent"],
        gen={"seed": 0, "difficulty": 2, "index": 0},
        response="<think>I should follow every rule, word word word word.</think>\n" + gold)
    add("gold-twice-with-actually", "wrong", "the same answer restated after 'Actually:' is two attempts",
        ["hedge"], gen={"seed": 0, "difficulty": 2, "index": 0}, response=gold + "\n\nActually:\n\n" + gold)


def correct_forms() -> None:
    add("lowercase-natural", "correct", "natural lowercase prose obeys the lowercase rule",
        ["equivalent"], t=task("lc", [("change_case:english_lowercase", {})]), response=ESSAY_LOWER)
    add("no-comma-natural", "correct", "natural prose without commas", ["equivalent"],
        t=task("nc", [("punctuation:no_comma", {})]), response=ESSAY_NO_COMMA)
    add("constrained-bare", "correct", "exactly one fixed option", ["equivalent"],
        t=task("cr", [("detectable_format:constrained_response", {})], "Is tea healthy?"),
        response="My answer is yes.")
    add("constrained-with-reason", "correct", "one option plus a consistent explanation",
        ["equivalent"], t=task("cr2", [("detectable_format:constrained_response", {})], "Is tea healthy?"),
        response="My answer is maybe. It depends on how much sugar goes into the cup.")
    bullets = ("Packing for a night train is simple.\n- a warm layer\n* earplugs and a sleep mask\n"
               "• water and a snack\nThat is all you need for a calm journey through the night.")
    add("bullets-mixed-markers", "correct", "three bullets written with -, * and the bullet sign",
        ["equivalent"], t=task("bl", [("detectable_format:number_bullet_lists", {"num_bullets": 3})]),
        response=bullets)
    add("title-mid-text", "correct", "a << >> title anywhere counts (IFEval)", ["equivalent"],
        t=task("ti", [("detectable_format:title", {})]), response="<<Riding the Night Train>>\n\n" + ESSAY)
    js = json.dumps({"title": "Night trains", "summary": ESSAY})
    add("json-fenced", "correct", "the whole reply is one JSON value in a single fence", ["equivalent"],
        t=task("js", [("detectable_format:json_format", {})]), response="```json\n" + js + "\n```")
    add("json-bare", "correct", "the whole reply is one JSON value", ["equivalent"],
        t=task("js2", [("detectable_format:json_format", {})]), response=js)
    structured = json.dumps({"city": "Lisbon", "attractions": ["Belem Tower", "Alfama district",
                             "Jeronimos Monastery", "LX Factory", "Sao Jorge Castle"],
                             "best_time": "spring or early autumn",
                             "tips": ["Wear comfortable shoes for the hills",
                                      "Try pastel de nata at a local bakery",
                                      "Buy a Viva Viagem card for trams"], "budget_per_day_eur": 80})
    add("json-structured-fields", "correct", "a JSON record of short fields and lists, not prose",
        ["equivalent"], t=task("js3", [("detectable_format:json_format", {})]), response=structured)
    places = ["Belem Tower", "Alfama district", "Jeronimos Monastery", "LX Factory", "Sao Jorge Castle",
              "Tram 28 ride", "Time Out Market", "Oceanarium visit", "Sintra day trip", "Cascais beach",
              "Fado evening", "Miradouro sunset"]
    add("bullets-terse-nouns", "correct", "a terse bullet list of places is a fair answer",
        ["equivalent"], t=task("bl2", [("detectable_format:number_bullet_lists", {"num_bullets": 12})],
                                "List twelve things to do in Lisbon."),
        response="Twelve ideas for Lisbon:\n" + "\n".join("* " + x for x in places))
    add("quotation-curly", "correct", "curly double quotes wrap the reply", ["equivalent"],
        t=task("qu", [("startend:quotation", {})]), response="“" + ESSAY + "”")
    add("postscript-bold", "correct", "a bold P.S. on its own line", ["equivalent"],
        t=task("ps", [("detectable_content:postscript", {"postscript_marker": "P.S."})]),
        response=ESSAY + "\n\n**P.S.** Bring a second blanket in winter.")
    rp = "Write a haiku about rain."
    add("repeat-prompt-then-answer", "correct", "the request repeated word for word, then an answer",
        ["equivalent"], t=task("rp", [("combination:repeat_prompt", {"prompt_to_repeat": rp})], rp),
        response=rp + "\n\n" + ESSAY)
    add("two-responses", "correct", "two different texts separated by ******", ["equivalent"],
        t=task("tr", [("combination:two_responses", {})]),
        response=ESSAY + "\n******\n" + LONG)
    add("highlights-bold", "correct", "bold spans count as highlights", ["equivalent"],
        t=task("hl", [("detectable_format:number_highlighted_sections", {"num_highlights": 2})]),
        response=ESSAY.replace("small bag", "*small bag*").replace("strong coffee", "**strong coffee**"))
    sec = ("## Section 1\nThe train leaves at nine and the platform is almost empty.\n\n"
           "SECTION 2\nBy dawn the valley is full of fog and the coffee is finally hot.")
    add("sections-markdown-and-caps", "correct", "section headers in two styles, each with a body",
        ["equivalent"], t=task("se", [("detectable_format:multiple_sections",
                                       {"section_spliter": "Section", "num_sections": 2})]), response=sec)
    bread = LONG.replace("loaf", "bread loaf")
    add("keyword-frequency-natural", "correct", "the keyword appears naturally often enough",
        ["equivalent"], t=task("kf", [("keywords:frequency", {"keyword": "bread", "frequency": 3,
                                                              "relation": "at least"})]), response=bread)
    add("end-phrase-trailing-space", "correct", "the end phrase followed only by whitespace",
        ["equivalent"], t=task("en", [("startend:end_checker", {"end_phrase": "Any other questions?"})]),
        response=ESSAY + " Any other questions?  \n")
    add("long-natural-essay", "correct", "a long, varied essay meets a high word count",
        ["equivalent"], t=task("lw", [("length_constraints:number_words",
                                       {"num_words": 200, "relation": "at least"})]), response=LONG)
    add("word-cap-short", "correct", "a short honest reply under a tight word cap", ["equivalent"],
        t=task("wc", [("length_constraints:number_words", {"num_words": 12, "relation": "less than"})]),
        response="Tea calms the mind and warms cold hands.")
    add("placeholders", "correct", "square-bracket placeholders in a letter", ["equivalent"],
        t=task("ph", [("detectable_content:number_placeholders", {"num_placeholders": 2})]),
        response="Dear [name], thank you for the invitation to [event]. " + ESSAY)
    add("capital-natural", "correct", "all capitals", ["equivalent"],
        t=task("cap", [("change_case:english_capital", {})]), response=ESSAY.upper())


def degenerate() -> None:
    rules = [("length_constraints:number_words", {"num_words": 300, "relation": "at least"}),
             ("punctuation:no_comma", {}), ("change_case:english_lowercase", {})]
    t = task("deg", rules, "Write a 300+ word essay in lowercase without commas.")
    add("filler-one-word", "wrong", "the same word 300 times meets every rule but says nothing",
        ["degenerate", "hack"], t=t, response_gen={"repeat": "word ", "times": 300})
    add("filler-two-words", "wrong", "two words alternating is filler", ["degenerate"], t=t,
        response_gen={"repeat": "yes no ", "times": 200})
    add("filler-paragraph-x10", "wrong", "one paragraph pasted ten times to reach the word count",
        ["degenerate", "hack"], t=t, response=("\n\n".join([ESSAY_LOWER.replace(",", "")] * 10)))
    add("filler-sentence-cycle", "wrong", "a twelve-word sentence repeated thirty times",
        ["degenerate"], t=t, response_gen={"repeat": "the night train is slow and the coffee is always very hot. ",
                                          "times": 30})
    rng = random.Random(0)
    vocab = "train night window coffee blanket station morning ticket carriage fog".split()
    add("filler-tiny-vocab-shuffled", "wrong", "ten words shuffled 300 times is not writing",
        ["degenerate"], t=t, response=" ".join(rng.choice(vocab) for _ in range(320)))
    add("filler-numbers", "wrong", "counting to 400 meets the word count with numbers, not writing",
        ["degenerate", "hack"], t=t, response=" ".join(str(i) for i in range(1, 401)))
    words = ("apple river candle mountain pencil orange thunder velvet garden silver harbor "
             "lantern meadow copper saddle violin canyon marble feather glacier tunnel walnut "
             "basket compass dolphin emerald falcon granite hammock island jasmine kettle ladder "
             "magnet nectar oyster pepper quartz raven sapphire tulip umbrella vessel willow").split()
    add("word-salad", "wrong", "a list of distinct nouns with no sentences is not prose",
        ["degenerate"], t=task("ws", [("length_constraints:number_words",
                                       {"num_words": 40, "relation": "at least"})]),
        response=" ".join(words))
    add("letter-run", "wrong", "a 2000-letter run meets a letter count without words",
        ["degenerate", "hack"], t=task("lf", [("keywords:letter_frequency",
                                                {"letter": "z", "let_frequency": 50,
                                                 "let_relation": "at least"})]),
        response=ESSAY + " " + "z" * 2000)
    add("letter-spam-tokens", "wrong", "the letter alone as 300 tokens", ["degenerate"],
        t=task("lf2", [("keywords:letter_frequency", {"letter": "z", "let_frequency": 50,
                                                      "let_relation": "at least"})]),
        response=ESSAY + " " + "z " * 300)
    add("keyword-stuffing", "wrong", "a keyword repeated 100 times", ["degenerate", "hack"],
        t=task("ks", [("keywords:frequency", {"keyword": "lantern", "frequency": 5,
                                               "relation": "at least"})]),
        response="A lantern story. " + "lantern " * 100)
    add("sentence-spam", "wrong", "'Yes. No.' 200 times meets a sentence count", ["degenerate"],
        t=task("ss", [("length_constraints:number_sentences", {"num_sentences": 100,
                                                              "relation": "at least"})]),
        response_gen={"repeat": "Yes. No. ", "times": 200})
    add("nope", "wrong", "a one-word reply obeys lowercase and no-comma but answers nothing",
        ["degenerate"], t=task("np", [("change_case:english_lowercase", {}), ("punctuation:no_comma", {})]),
        response="nope")
    add("empty", "wrong", "empty reply", ["degenerate"], t=task("em", [("punctuation:no_comma", {})]),
        response="")
    add("whitespace", "wrong", "whitespace only", ["degenerate"], t=task("em2", [("punctuation:no_comma", {})]),
        response=" \n\t ")


def hedges_and_echoes() -> None:
    cr = task("crh", [("detectable_format:constrained_response", {})], "Is tea healthy?")
    for i, text in enumerate(["My answer is yes. My answer is no.", "My answer is yes. My answer is no",
                              "My answer is yes.\nMy answer is maybe.",
                              "My answer is yes. Or rather, my answer is not yes.",
                              "My answer is yes, no or maybe.",
                              "My answer is yes. My answer is no. My answer is maybe."]):
        add(f"constrained-hedge-{i}", "wrong", "contradictory fixed answers are a hedge", ["hedge"],
            t=cr, response=text)
    prompt = ('Write a blog post about night trains. Include the keywords "compass", "echo", '
              '"lantern" in the response. Answer with at least 30 words.')  # gymkit's wording
    et = task("echo", [("keywords:existence", {"keywords": ["compass", "echo", "lantern"]}),
                       ("length_constraints:number_words", {"num_words": 30, "relation": "at least"})],
              prompt)
    add("echo-prompt", "wrong", "the prompt echoed back holds the keywords but answers nothing",
        ["echo", "hack"], t=et, response=prompt)
    add("echo-prompt-twice", "wrong", "the prompt echoed twice", ["echo"], t=et,
        response=prompt + "\n\n" + prompt)
    add("echo-prompt-lowercase", "wrong", "the prompt echoed in lowercase", ["echo"], t=et,
        response=prompt.lower())
    add("echo-answer-ok", "correct", "a real answer that uses the keywords", ["equivalent"], t=et,
        response="On a night train the compass of your day resets. " + ESSAY +
        " The lantern at the station sways and its light leaves an echo on the wet platform.")
    passage = ("The old lighthouse stood at the end of the pier for a hundred years, and every night "
               "its keeper climbed the stairs to light the lamp for ships that never came.")
    rw = f"Rewrite the following passage in all capital letters: {passage}"
    add("rewrite-copies-passage", "correct", "a rewrite task is answered by copying its passage in capitals",
        ["equivalent"], t=task("rw", [("change_case:english_capital", {})], rw), response=passage.upper())
    rp = "Write a haiku about rain."
    add("repeat-prompt-only", "wrong", "repeating the request without answering it", ["echo"],
        t=task("rpo", [("combination:repeat_prompt", {"prompt_to_repeat": rp})], rp), response=rp)
    long_rp = ("Write a short story about a lighthouse keeper who finds a message in a bottle and "
               "decides to answer it, in no more than three paragraphs.")
    add("repeat-long-prompt-only", "wrong", "a 25-word request repeated with nothing after it",
        ["echo"], t=task("rpl", [("combination:repeat_prompt", {"prompt_to_repeat": long_rp})],
                         long_rp), response=long_rp)
    add("two-responses-same-words", "wrong", "two 'different' responses that differ only in punctuation",
        ["hedge", "hack"], t=task("trs", [("combination:two_responses", {})]),
        response=ESSAY + "\n******\n" + ESSAY.replace(".", "!"))
    t2 = task("dr", [("change_case:english_lowercase", {})])
    for i, marker in enumerate(["Actually:", "Or, to be safe:", "Version 2:", "Alternatively:",
                                "Let me try again."]):
        add(f"second-draft-{i}", "wrong", f"a second attempt after '{marker}' is two answers",
            ["hedge"], t=t2 if i % 2 == 0 else task(f"dr{i}", [("punctuation:no_comma", {})]),
            response=(ESSAY_LOWER if i % 2 == 0 else ESSAY_NO_COMMA) + f"\n\n{marker}\n\n" +
            (LONG.lower() if i % 2 == 0 else LONG.replace(",", "")))


def pathological() -> None:
    js = task("jsp", [("detectable_format:json_format", {})])
    add("json-10k-deep", "wrong", "10,000-deep nesting must be wrong quickly, not a RecursionError",
        ["pathological"], t=js, response_gen={"prefix": '{"a": ', "repeat": "[", "times": 10000,
                                              "suffix": "1" + "]" * 10000 + "}"})
    add("json-200-deep", "wrong", "200-deep nesting (short enough for the length cap) is a flood",
        ["pathological"], t=js, response='{"essay": "' + ESSAY + '", "x": ' + "[" * 200 + "1" +
        "]" * 200 + "}")
    add("json-duplicate-keys", "wrong", "a JSON object with a repeated key is ambiguous",
        ["hack"], t=js, response=json.dumps({"title": "Night trains", "summary": ESSAY})[:-1] +
        ', "title": "Day trains"}')
    add("json-two-fences", "wrong", "two different JSON replies", ["hedge"], t=js,
        response="```json\n{\"a\": \"" + ESSAY + "\"}\n```\n```json\n{\"b\": \"" + LONG + "\"}\n```")
    add("megabyte", "wrong", "a 1 MB reply is over the length cap", ["pathological"],
        t=task("mb", [("length_constraints:number_words", {"num_words": 300, "relation": "at least"})]),
        response_gen={"repeat": ESSAY + " ", "times": 1_000_000 // len(ESSAY)})
    add("binary-junk", "wrong", "binary bytes around a keyword", ["pathological"],
        t=task("bj", [("keywords:existence", {"keywords": ["lantern"]})]),
        response="".join(chr(i) for i in range(256)) * 4 + " lantern")
    add("symbol-soup", "wrong", "symbols around the keyword", ["pathological"],
        t=task("bj2", [("keywords:existence", {"keywords": ["lantern"]})]),
        response="x#4! ^^&* q9$%@ ~~~ lantern {{{ ]]] ((( ### ")
    add("unclosed-think", "wrong", "no answer after an unterminated <think>", ["pathological"],
        t=task("th", [("punctuation:no_comma", {})]), response="<think>" + ESSAY_NO_COMMA)
    add("brackets-flood", "wrong", "10,000 brackets are not an answer", ["pathological"],
        t=task("bf", [("punctuation:no_comma", {})]), response_gen={"repeat": "[", "times": 10000})
    add("title-empty", "wrong", "<< >> holds no title", ["hack"], t=task("te", [("detectable_format:title", {})]),
        response="<< >>\n" + ESSAY)
    add("dividers-not-bullets", "wrong", "*** dividers are not bullet points", ["hack"],
        t=task("dv", [("detectable_format:number_bullet_lists", {"num_bullets": 3})]),
        response=ESSAY + "\n***\n" + LONG + "\n***\n" + ESSAY_LOWER + "\n***\n")


gold_cases()
correct_forms()
degenerate()
hedges_and_echoes()
pathological()
OUT.write_text("".join(json.dumps(c) + "\n" for c in CASES))
print(f"{len(CASES)} cases -> {OUT}")
