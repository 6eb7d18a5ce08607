"""`wordle`: guess a hidden five-letter word in six tries from green/yellow/gray feedback."""
from __future__ import annotations

import random
from typing import Any

from gymkit.chat import strip_thinking, user
from gymkit.env import BaseEnv, Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Message, Score, Step, Task

from .game import GuessError, feedback, hard_mode_violation, openers, read_guess, solve, word_set, words

MAX_GUESSES = 6
ANSWER_KEYS = ("answer", "target", "word", "secret", "solution")


@register_env
class WordleEnv(BaseEnv):
    """Wordle over a vendored list; every reply is one guess, invalid ones included."""

    name = "wordle"
    family = "agent"
    verifier = "env state: the hidden word guessed within 6 turns (feedback computed by the env)"
    difficulties = (1, 2, 3)  # 1: one letter revealed, 2: standard, 3: hard mode
    max_turns = MAX_GUESSES

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        pool = words()
        while True:  # the few words the solver misses are redrawn, so every task has a gold
            answer = rng.choice(pool)
            hint = None
            if difficulty == 1:
                pos = rng.randrange(5)
                hint = {"position": pos, "letter": answer[pos]}
            task = self.build_task(answer, f"wordle-{difficulty}-{index}", hard=difficulty == 3,
                                   hint=hint, opener=rng.choice(openers()), difficulty=difficulty)
            if task.gold:
                return task

    def build_task(self, answer: str, task_id: str, *, hard: bool = False, hint: dict | None = None,
                   opener: str | None = None, max_guesses: int = MAX_GUESSES,
                   difficulty: int | None = None) -> Task:
        """A task for `answer`; the gold is the solver's guesses (None if it cannot solve it)."""
        answer = answer.strip().lower()
        if len(answer) != 5 or not answer.isalpha():
            raise GymkitError(f"wordle task {task_id}: answer {answer!r} is not a 5-letter word")
        extra = [] if answer in word_set() else [answer]  # a loaded answer is a valid guess too
        vocab = tuple(sorted(set(words()) | set(extra)))
        gold = None
        for first in ([opener] if opener else []) + list(openers()):
            guesses = solve(answer, first, max_guesses, vocab, hint)
            if guesses:
                gold = [{"role": "assistant", "content": g} for g in guesses]
                break
        data = {"answer": answer, "hard": hard, "hint": hint, "max_guesses": max_guesses,
                "extra_words": extra}
        return Task(id=task_id, env=self.name, prompt=[user(self._intro(data))], data=data,
                    gold=gold, difficulty=difficulty)

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Rows naming the hidden word: `{"answer": "crane"}` (or target/word/secret/solution)."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        key = next((k for k in ANSWER_KEYS if isinstance(row.get(k), str)), None)
        if key is None:
            raise GymkitError(f"wordle row {index} needs one of {', '.join(ANSWER_KEYS)}; "
                              f"got keys {sorted(row)}")
        return self.build_task(row[key], str(row.get("id", f"wordle-row-{index}")),
                               hard=bool(row.get("hard_mode", False)),
                               max_guesses=int(row.get("max_guesses", MAX_GUESSES)))

    def _intro(self, d: dict) -> str:
        text = (f"Let's play Wordle. Guess the hidden five-letter English word in {d['max_guesses']} "
                "tries. Each reply is one try: put your guess, a single word, on the last line. "
                "After each guess you get one mark per letter: G = right letter in the right "
                "spot, Y = in the word but elsewhere, - = not in the word (or not that many "
                "times). Guesses must be five letters and in the word list; an invalid guess "
                "gets an error and still uses a try.")
        if d["hard"]:
            text += (" Hard mode: every revealed hint must be used, so G letters stay in place "
                     "and Y letters must appear in later guesses.")
        if d["hint"]:
            text += (f" Hint: letter {d['hint']['position'] + 1} is "
                     f"{d['hint']['letter'].upper()}.")
        return text

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        ep = Episode(task=task)
        ep.state.update(history=[], solved=False)
        return ep

    def _judge(self, ep: Episode, text: str | None) -> str:
        d = ep.task.data
        if text is None:
            return "error: unterminated <think> block; no guess was read"
        try:
            guess = read_guess(text)
        except GuessError as e:
            return f"error: {e}"
        if len(guess) != 5 or not guess.isalpha():
            return f"error: {guess[:20]!r} is not a five-letter word"
        if guess not in word_set() and guess not in d["extra_words"]:
            return f"error: {guess!r} is not in the word list"
        if d["hard"] and (why := hard_mode_violation(guess, ep.state["history"])):
            return f"error: hard mode: {why}"
        marks = feedback(guess, d["answer"])
        ep.state["history"].append((guess, marks))
        ep.state["solved"] = guess == d["answer"]
        return "\n".join(f"{g.upper()}  {' '.join(m)}" for g, m in ep.state["history"])

    def respond(self, episode: Episode, message: Message) -> Step:
        """Judge one guess (an unreadable one still uses a try); the last try is scored."""
        if message.get("tool_calls") or message.get("tool_call_errors"):
            note = "error: this env has no tools; write your guess as text on the last line"
        else:
            note = self._judge(episode, strip_thinking(message.get("content") or ""))
        if episode.state["solved"] or self.out_of_turns(episode):
            return Step(done=True, score=self.safe_score(episode, ""))
        left = episode.task.data["max_guesses"] - episode.turn
        return Step(observation=[user(f"{note}\n{left} {'try' if left == 1 else 'tries'} left.")])

    def out_of_turns(self, episode: Episode) -> bool:  # a loaded row may allow more tries
        return episode.turn >= episode.task.data["max_guesses"]

    def score_episode(self, episode: Episode, response: str) -> Score:
        n, d = episode.turn, episode.task.data
        if episode.state["solved"]:
            s = Score.correct(guesses=n)
            s.components = {"guesses_used": float(n)}
            return s
        return Score.wrong(f"not solved in {d['max_guesses']} tries", guesses=n,
                           answer=d["answer"])
