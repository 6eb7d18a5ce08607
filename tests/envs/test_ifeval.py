import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.errors import GymkitError
from gymkit.envs.ifeval import IfevalEnv
from gymkit.types import Task
from gymkit.verifiers.constraints import CONSTRAINTS, check, looks_like_text, sentences, words

PROSE = "Tea arrived in Europe long ago. It changed how people met! Was it worth it? Yes."

# (instruction id, kwargs, a text that obeys it, a text that does not)
CASES = [
    ("length_constraints:number_words", {"num_words": 5, "relation": "at least"},
     "one two three four five", "one two three four"),
    ("length_constraints:number_words", {"num_words": 5, "relation": "less than"},
     "one two three four", "one two three four five"),
    ("length_constraints:number_sentences", {"num_sentences": 4, "relation": "at least"},
     PROSE, "Just one. Two here."),
    ("length_constraints:number_sentences", {"num_sentences": 3, "relation": "at most"},
     "Dr. Smith came, e.g. on Monday. He left.", PROSE),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2},
     "First part.\n\n***\n\nSecond part.", "First part.\n\nSecond part."),
    ("length_constraints:nth_paragraph_first_word",
     {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "today"},
     "Hello there.\n\n\"Today, we go.", "Hello there.\n\nTomorrow we go."),
    ("keywords:existence", {"keywords": ["lantern", "night sky"]},
     "A LANTERN lit the night\nsky.", "Lanterns lit the night sky."),
    ("keywords:forbidden_words", {"forbidden_words": ["easy"]},
     "It is uneasy and easygoing.", "It is Easy."),
    ("keywords:frequency", {"keyword": "echo", "frequency": 3, "relation": "at least"},
     "echo, Echo and ECHO.", "echo echoes echo"),
    ("keywords:letter_frequency", {"letter": "z", "let_frequency": 2, "let_relation": "less than"},
     "a zebra", "a zebra in a zoo"),
    ("change_case:english_lowercase", {}, "all lower, 123.", "Not lower."),
    ("change_case:english_capital", {}, "ALL CAPS, 123.", "ALL CAPS but one."),
    ("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": "at least"},
     "THIS is VERY loud", "This is Very loud"),
    ("detectable_format:json_format", {}, '```json\n{"a": [1, 2]}\n```', 'Sure: {"a": 1}'),
    ("detectable_format:multiple_sections", {"section_spliter": "SECTION", "num_sections": 2},
     "Intro.\n## Section 1\nA text.\n**SECTION 2**\nMore text.",
     "SECTION 1\nA text.\nSECTION 2\n"),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2},
     "List:\n* one\n- two\n\n***\n\n*emphasis* here", "* one\n* two\n* three"),
    ("detectable_format:title", {}, "<<My Title>>\nText.", "<< >>\nText."),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2},
     "An *important* point and a **bold** one.", "* a bullet\n* another bullet *"),
    ("detectable_format:constrained_response", {}, "My answer is yes.",
     "My answer is yes. My answer is no."),
    ("startend:end_checker", {"end_phrase": "Any other questions?"},
     "Text here.\nany other questions?  ", "Any other questions? Bye."),
    ("startend:start_checker", {"start_phrase": "Let me begin."}, "Let me begin. Okay.",
     "So, let me begin."),
    ("startend:quotation", {}, '"Wrapped text."', '"Half wrapped.'),
    ("punctuation:no_comma", {}, "No commas here.", "One, two."),
    ("detectable_content:number_placeholders", {"num_placeholders": 2},
     "Send [name] to [address].", "Send [ ] to [address]."),
    ("detectable_content:postscript", {"postscript_marker": "P.S."},
     "Body.\n\np.s. see you soon", "Body mentions P.S. only."),
    ("detectable_content:postscript", {"postscript_marker": "P.P.S"},
     "Body.\nP.P.S. more", "Body.\nP.S. more"),
    ("combination:repeat_prompt", {"prompt_to_repeat": "Write a poem."},
     "Write a poem. Roses are red.", "A poem: roses are red."),
    ("combination:two_responses", {}, "First answer.\n******\nSecond answer.",
     "Same.\n******\nSame."),
]


@pytest.mark.parametrize("cid,kwargs,good,bad", CASES)
def test_constraint_checkers(cid, kwargs, good, bad):
    assert check(cid, kwargs, good), good
    assert not check(cid, kwargs, bad), bad


def test_every_supported_id_has_a_case():
    assert {c[0] for c in CASES} == set(CONSTRAINTS)


def test_counting_rules():
    assert words("Don't stop, well-known 3.5 co_op") == ["Don't", "stop", "well-known", "3", "5",
                                                         "co", "op"]
    assert len(sentences(PROSE)) == 4
    assert len(sentences("SECTION 1\nA line. Another.\n* bullet")) == 4
    assert looks_like_text('{"response": "Some words, here."}')
    assert not looks_like_text("x#4! ^^&* q9$%@ ~~~")


@pytest.fixture(scope="module")
def env():
    return IfevalEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(300, seed=21)


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def _task(constraints):
    return Task(id="t", env="ifeval", prompt=[{"role": "user", "content": "x"}],
                data={"constraints": [{"id": i, "kwargs": k} for i, k in constraints]})


def test_check_env(env):
    assert check_env(env) == []


def test_every_gold_scores_one_with_all_components(env, tasks):
    for t in tasks:
        s = _score(env, t, t.gold_text)
        assert (s.reward, s.status) == (1.0, "correct"), (t.id, s.info, t.gold_text)
        assert len(s.components) == len(t.data["constraints"]) == t.difficulty
        assert all(v == 1.0 for v in s.components.values())


def test_wrong_answer_scores_zero_and_partial_mode(env):
    t = _task([("punctuation:no_comma", {}), ("change_case:english_lowercase", {})])
    text = ("there are no commas in this reply but One capital letter sits in the middle of it "
            "so the lowercase rule fails while the comma rule holds for every word written here")
    s = _score(env, t, text)
    assert (s.reward, s.status) == (0.0, "wrong")
    assert s.components == {"punctuation:no_comma": 1.0, "change_case:english_lowercase": 0.0}
    partial = _score(IfevalEnv(partial=True), t, text)
    assert (partial.reward, partial.status) == (0.5, "wrong")


def test_red_team_trivial_reply_is_not_an_answer(env):
    t = _task([("change_case:english_lowercase", {}), ("punctuation:no_comma", {})])
    assert _score(env, t, "nope").reward == 0.0  # obeys both rules, answers nothing
    capped = _task([("length_constraints:number_words", {"num_words": 10, "relation": "less than"})])
    assert _score(env, capped, "Tea is a calm ritual.").reward == 1.0  # the floor follows the cap
    yes = _task([("detectable_format:constrained_response", {})])
    assert _score(env, yes, "My answer is yes.").reward == 1.0


def test_red_team_keyword_stuffing_breaks_word_limit(env):
    t = _task([("keywords:frequency", {"keyword": "lantern", "frequency": 5, "relation": "at least"}),
               ("length_constraints:number_words", {"num_words": 60, "relation": "at most"})])
    stuffed = "A lantern story. " + "lantern " * 100
    s = _score(env, t, stuffed)
    assert s.reward == 0.0 and "degenerate" in s.info["reason"]
    honest = ("The lantern glowed by the door. A second lantern swung from the mast. Children "
              "carried a paper lantern down the pier. Every lantern in town was lit that night. "
              "By dawn the last lantern had burned out. It was a calm night by the sea.")
    assert _score(env, t, honest).reward == 1.0


@pytest.mark.parametrize("text", [
    "x#4! ^^&* q9$%@ ~~~ lantern",                   # symbol soup around the keyword
    "lantern " * 30_000,                             # over the length cap
    "\x00\x01 lantern \x02\x03 \xff\xfe \x10\x11",       # binary around the keyword
])
def test_red_team_degenerate_text(env, text):
    t = _task([("keywords:existence", {"keywords": ["lantern"]})])
    s = _score(env, t, text)
    assert s.reward == 0.0 and s.status == "wrong"


def test_red_team_format_hacks(env):
    t = _task([("detectable_format:json_format", {})])
    assert _score(env, t, '{"a": 1}\n{"a": 2}').reward == 0.0  # two objects are not one JSON
    t = _task([("detectable_format:number_bullet_lists", {"num_bullets": 3})])
    assert _score(env, t, "* a b\n* c d\n* e f\n* g h").reward == 0.0  # exactly, not at least
    t = _task([("startend:end_checker", {"end_phrase": "That is all."})])
    assert _score(env, t, "<think>ends. That is all.</think>Real answer here.").reward == 0.0
    t = _task([("detectable_format:constrained_response", {})])
    assert _score(env, t, "My answer is yes. Or My answer is no.").reward == 0.0


@pytest.mark.parametrize("text", ["", " \n", "\x00\x01\x02\xff" * 100, "a" * 25_000])
def test_garbage_never_raises(env, tasks, text):
    for t in tasks[:10]:
        s = _score(env, t, text)
        assert s.reward == 0.0 and s.status == "wrong"


def test_seeded_determinism(env):
    assert env.generate(9, seed=4) == env.generate(9, seed=4)
    assert env.generate(9, seed=4) != env.generate(9, seed=5)


def test_loader_ifeval_rows(env, tmp_path):
    rows = [{"key": 1000, "prompt": "Write a 40+ word summary. Do not use any commas.",
             "instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words"],
             "kwargs": [{}, {"num_words": 40, "relation": "at least", "keyword": None}]},
            {"key": 1001, "prompt": "Answer in JSON.", "instruction_id_list":
             ["detectable_format:json_format"], "kwargs": [{"num_words": None}]}]
    path = tmp_path / "ifeval.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    a, b = env.load(path)
    assert a.id == "ifeval-1000" and a.data["constraints"][1]["kwargs"] == {"num_words": 40,
                                                                            "relation": "at least"}
    summary = ("The report follows one small bakery through a hard winter. Orders fell when the "
               "road closed and the owners began delivering bread by bicycle. Neighbours joined "
               "in and the shop ended the season with more regular customers than it had before "
               "the snow arrived in early December.")
    assert _score(env, a, summary).reward == 1.0
    assert _score(env, a, summary.replace(" and", ", and")).reward == 0.0
    assert _score(env, a, "word " * 300).reward == 0.0  # filler meets both rules: degenerate
    answer = json.dumps({"answer": "yes", "why": "because the question asks for a short JSON "
                                                "reply and this one gives the reason in plain words"})
    assert _score(env, b, answer).reward == 1.0


def test_loader_names_unsupported_id(env, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"key": 7, "prompt": "p", "instruction_id_list":
                                ["language:response_language"], "kwargs": [{"language": "fr"}]}))
    with pytest.raises(GymkitError, match=r"row 0 \(key 7\): unsupported instruction id "
                                          r"'language:response_language'; supported: "):
        env.load(path)
    path.write_text(json.dumps({"key": 8, "prompt": "p", "instruction_id_list":
                                ["keywords:frequency"], "kwargs": [{"keyword": "x"}]}))
    with pytest.raises(GymkitError, match="missing \\['frequency', 'relation'\\]"):
        env.load(path)
    path.write_text(json.dumps({"key": 9, "prompt": "p", "instruction_id_list":
                                ["length_constraints:number_words"],
                                "kwargs": [{"num_words": 5, "relation": "around"}]}))
    with pytest.raises(GymkitError, match="relation='around'; relations are: at least"):
        env.load(path)


@pytest.mark.parametrize("text", [
    "word " * 300, "yes no " * 150, " ".join(str(i) for i in range(300)),
    ("the night train is slow and the coffee is always very hot. " * 30)])
def test_degenerate_filler_fails_every_rule(env, text):
    t = _task([("length_constraints:number_words", {"num_words": 100, "relation": "at least"}),
               ("punctuation:no_comma", {})])
    s = _score(env, t, text)
    assert s.status == "wrong" and "degenerate" in s.info["reason"]


@pytest.mark.parametrize("text", ["My answer is yes. My answer is no",
                                  "My answer is yes. Or rather, my answer is not yes."])
def test_contradictory_fixed_answers_are_a_hedge(env, text):
    t = _task([("detectable_format:constrained_response", {})])
    assert _score(env, t, text).reward == 0.0
    assert _score(env, t, "My answer is no. It depends on the cup.").reward == 1.0


def test_lookalikes_and_hidden_characters_are_read_as_seen():
    forbid = {"forbidden_words": ["easy"]}
    for dodge in ["e\u200basy", "\u0435asy", "ea\u00adsy", "**ea**sy", "ea<b></b>sy",
                  "\uff45\uff41\uff53\uff59", "\u202eeasy\u202c"]:
        assert not check("keywords:forbidden_words", forbid, f"It was {dodge} enough."), dodge
    assert check("keywords:forbidden_words", forbid, "It was uneasy and co_easy-going.")
    assert check("keywords:existence", {"keywords": ["ritual"]}, "my r\u0456tual")  # folded too
    assert not check("change_case:english_lowercase", {}, "a \U0001d406\U0001d411 word")
    assert not check("change_case:english_capital", {}, "A \U0001d41a WORD")
    assert check("change_case:english_lowercase", {}, "caf\u00e9 \uff41")
    assert words("e\u200basy **wo**rd") == ["easy", "word"]
    assert check("keywords:letter_frequency",
                 {"letter": "e", "let_frequency": 2, "let_relation": "at least"}, "\u0435 e")
    for comma in [",", "\uff0c", "\ufe50", "\u201a", "\u060c", "\u3001"]:
        assert not check("punctuation:no_comma", {}, f"one{comma} two"), comma
    assert check("punctuation:no_comma", {}, "one; two")
