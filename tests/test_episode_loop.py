"""The episode loop in `BaseEnv.step`: turn counting, the turn limit, tool errors as
observations, the tool-call limit, and the `respond` / `out_of_turns` hooks envs override."""
from gymkit import BaseEnv, Score, Step, Task, tool
from gymkit.chat import user
from gymkit.env import Episode, play
from gymkit.tools import make_call


class Lamp(BaseEnv):
    """Three tool turns at most; `toggle` flips a lamp, `fail` raises, the answer is its state."""

    name = "test_lamp"
    max_turns = 3
    max_tool_calls = 2

    @tool
    def toggle(self, episode) -> str:
        """Flip the lamp."""
        episode.state["on"] = not episode.state.get("on", False)
        return "on" if episode.state["on"] else "off"

    @tool
    def fail(self, episode) -> str:
        """Always raises."""
        raise KeyError("bulb")

    def score_episode(self, episode, response):
        said_on = response.strip() == "on"
        return Score.correct() if said_on == episode.state.get("on", False) else Score.wrong("no")


TASK = Task(id="lamp-0", env="test_lamp", prompt=[user("Turn the lamp on.")])


def calls(*names):
    return {"role": "assistant", "content": "",
            "tool_calls": [make_call(n, {}, f"c{k}") for k, n in enumerate(names)]}


def say(text):
    return {"role": "assistant", "content": text}


def test_every_message_costs_one_turn_and_a_text_answer_is_scored():
    env = Lamp()
    ep = env.reset(TASK)
    first = env.step(ep, calls("toggle"))
    assert (ep.turn, first.done, first.observation[0]["content"]) == (1, False, "on")
    last = env.step(ep, say("<think>it is on</think>on"))
    assert ep.turn == 2 and last.done and last.score.status == "correct"


def test_tool_calls_on_the_last_turn_end_it_truncated_without_running():
    env = Lamp()
    ep = env.reset(TASK)
    for _ in range(2):
        assert not env.step(ep, calls("toggle")).done
    end = env.step(ep, calls("toggle"))
    assert ep.turn == 3 and end.done and end.observation == []
    assert (end.score.status, end.score.reward) == ("truncated", 0.0)
    assert ep.tool_calls == 2 and ep.state["on"] is False  # the third toggle never ran


def test_a_text_answer_on_the_last_turn_is_still_scored():
    _, score = play(Lamp(), TASK, [calls("toggle"), calls("toggle"), say("off")])
    assert score.status == "correct"


def test_bad_calls_and_tool_exceptions_come_back_as_observations_and_cost_a_turn():
    env = Lamp()
    ep = env.reset(TASK)
    bad = env.step(ep, {"role": "assistant", "content": "", "tool_call_errors": ["not JSON"]})
    assert not bad.done and bad.observation[0]["content"] == "error: not JSON"
    raised = env.step(ep, calls("fail"))
    assert not raised.done and raised.observation[0]["content"].startswith("error: fail raised KeyError")
    unknown = env.step(ep, calls("explode"))
    assert ep.turn == 3 and unknown.score.status == "truncated"


def test_calls_past_the_tool_call_limit_get_an_error_and_do_not_run():
    env = Lamp()
    ep = env.reset(TASK)
    out = env.step(ep, calls("toggle", "toggle", "toggle")).observation
    assert [m["content"] for m in out] == ["on", "off", "error: tool-call limit of 2 reached"]
    assert ep.tool_calls == 3 and ep.state["on"] is False


class Counting(BaseEnv):
    """A `respond` override: every text message is counted back; "stop" ends the episode."""

    name = "test_counting"
    max_turns = 2

    def respond(self, episode: Episode, message) -> Step:
        if message.get("content") == "stop":
            return Step(done=True, score=Score.correct())
        return Step(observation=[user(f"turn {episode.turn}")])


def test_the_loop_keeps_the_last_observation_of_a_truncated_episode():
    msgs, score = play(Counting(), TASK, [say("a"), say("b"), say("c")])
    assert [m["content"] for m in msgs[1:]] == ["a", "turn 1", "b", "turn 2"]
    assert score.status == "truncated" and score.info["reason"] == "turn limit reached"


def test_an_episode_that_respond_ends_on_its_last_turn_keeps_its_verdict():
    _, score = play(Counting(), TASK, [say("a"), say("stop")])
    assert score.status == "correct"


def test_out_of_turns_sets_the_limit_per_episode():
    class PerTask(Counting):
        name = "test_per_task"

        def out_of_turns(self, episode):
            return episode.turn >= episode.task.data["turns"]

    task = TASK.model_copy(update={"data": {"turns": 4}})
    msgs, score = play(PerTask(), task, [say("x")] * 5)
    assert score.status == "truncated" and msgs[-1]["content"] == "turn 4"
