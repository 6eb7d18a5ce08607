"""Chat messages to prompt token ids, through the model's own chat template.

First turn: the whole conversation is rendered with the generation prompt and tokenised.
Later turns (`GenRequest.prefix_ids`): the exact tokens of the conversation so far are kept and
only the new messages are rendered and appended, so sampled tokens are never re-tokenised.
The new part is the difference between the template's rendering of the whole conversation and
of its first `n_prefix_messages`; the template's end-of-turn text is added when the sampled
tokens did not end with it (a turn cut off by max_new_tokens or a stop string).

Reasoning control: `enable_thinking` goes to templates that take it; other templates get the
model's system-prompt switch (`/think` / `/no_think` by default, as the Nemotron cards
describe). Tool schemas go to the template as `tools=`; a template that ignores tools gets them
described in the system prompt in the `<tool_call>` JSON format gymkit parses.
"""
from __future__ import annotations

import json
from typing import Any

import jinja2

from ..errors import GymkitError
from ..types import Message
from .base import Generation, GenRequest

# What a chat template raises on messages it cannot render: a per-request error, not a crash.
TEMPLATE_ERRORS = (ValueError, TypeError, KeyError, jinja2.TemplateError)

_DUMMY_TURN: list[Message] = [{"role": "user", "content": "."}, {"role": "assistant", "content": "."}]
DEFAULT_SWITCH = ("/think", "/no_think")


def _tools_system_text(tools: list[dict[str, Any]]) -> str:
    lines = "\n".join(json.dumps(t, sort_keys=True) for t in tools)
    return ("You can call tools. To call one, reply with <tool_call>{\"name\": <function-name>, "
            "\"arguments\": <args-json-object>}</tool_call>.\nAvailable tools:\n<tools>\n"
            f"{lines}\n</tools>")


def with_system_lines(messages: list[Message], lines: list[str]) -> tuple[list[Message], int]:
    """Messages with `lines` added to the system prompt (the first line leads it, as reasoning
    switches must), and how many messages were inserted at the front (0 or 1)."""
    if not lines:
        return list(messages), 0
    if messages and messages[0].get("role") == "system":
        content = "\n".join([*lines[:1], messages[0].get("content") or "", *lines[1:]]).strip()
        return [{**messages[0], "content": content}, *messages[1:]], 0
    return [{"role": "system", "content": "\n".join(lines)}, *messages], 1


class PromptBuilder:
    """Renders and tokenises chat requests for one tokenizer and chat template."""

    def __init__(self, tokenizer, chat_template: str | None = None,
                 thinking_switch: tuple[str, str] | None = None, eos_ids: set[int] | None = None) -> None:
        self.tok = tokenizer
        self.template = chat_template or tokenizer.chat_template
        if not self.template:
            name = getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__
            raise GymkitError(f"tokenizer {name!r} has no chat template; pass chat_template=")
        self.thinking_kwarg = "enable_thinking" in self.template
        self.template_tools = "tools" in self.template
        self.switch = thinking_switch or DEFAULT_SWITCH
        self.eos_ids = eos_ids or {tokenizer.eos_token_id}
        self.eos_texts = {tokenizer.decode([i]) for i in self.eos_ids if i is not None}

    def _system_additions(self, tools, enable_thinking) -> list[str]:
        extra = []
        if enable_thinking is not None and not self.thinking_kwarg:
            extra.append(self.switch[0] if enable_thinking else self.switch[1])
        if tools and not self.template_tools:
            extra.append(_tools_system_text(tools))
        return extra

    def prepare(self, messages: list[Message], tools, enable_thinking) -> tuple[list[Message], int]:
        """Messages as the template sees them, and how many were inserted at the front."""
        msgs = [{**m, "content": m.get("content") or ""} for m in messages]
        return with_system_lines(msgs, self._system_additions(tools, enable_thinking))

    def render(self, msgs: list[Message], tools, enable_thinking, generation_prompt: bool) -> str:
        kwargs: dict[str, Any] = {}
        if enable_thinking is not None and self.thinking_kwarg:
            kwargs["enable_thinking"] = enable_thinking
        if tools and self.template_tools:
            kwargs["tools"] = tools
        return self.tok.apply_chat_template(msgs, chat_template=self.template, tokenize=False,
                                            add_generation_prompt=generation_prompt, **kwargs)

    def encode(self, text: str) -> list[int]:
        return self.tok(text, add_special_tokens=False)["input_ids"]

    def prompt_text(self, messages: list[Message], tools=None, enable_thinking=None) -> str:
        msgs, _ = self.prepare(messages, tools, enable_thinking)
        return self.render(msgs, tools, enable_thinking, True)

    def request_ids(self, req: GenRequest, enable_thinking: bool | None) -> list[int] | Generation:
        """The prompt ids for `req`, or an error Generation when its messages cannot be rendered."""
        try:
            return self.prompt_ids(req.messages, req.tools, enable_thinking, req.prefix_ids,
                                   req.n_prefix_messages)
        except TEMPLATE_ERRORS as e:
            return Generation(text="", finish_reason="error", error=f"prompt: {type(e).__name__}: {e}")

    def prompt_ids(self, messages: list[Message], tools=None, enable_thinking=None,
                   prefix_ids: list[int] | None = None, n_prefix_messages: int = 0) -> list[int]:
        """The token ids to feed the model for this turn (see the module docstring)."""
        if prefix_ids is None:
            return self.encode(self.prompt_text(messages, tools, enable_thinking))
        if not prefix_ids:
            raise ValueError("prefix_ids is empty; pass None on the first turn")
        if not 0 < n_prefix_messages <= len(messages):
            raise ValueError(f"n_prefix_messages={n_prefix_messages} is outside 1..{len(messages)}")
        msgs, shift = self.prepare(messages, tools, enable_thinking)
        new = self._new_text(msgs, n_prefix_messages + shift, tools, enable_thinking)
        return list(prefix_ids) + self.encode(self._turn_closer(prefix_ids, new[0]) + new[1])

    def _new_text(self, msgs, n_prefix, tools, thinking) -> tuple[str, str]:
        """(rendering of the prefix conversation, text that the new messages add to it)."""
        head = self.render(msgs[:n_prefix], tools, thinking, False)
        full = self.render(msgs, tools, thinking, True)
        if full.startswith(head):
            return head, full[len(head):]
        # Templates that rewrite history (e.g. drop earlier reasoning) break the prefix property;
        # render the new messages after a fixed dummy turn instead.
        keep = msgs[:1] if msgs and msgs[0]["role"] == "system" else []
        base = [*keep, *_DUMMY_TURN]
        head = self.render(base, tools, thinking, False)
        full = self.render([*base, *msgs[n_prefix:]], tools, thinking, True)
        if not full.startswith(head):
            raise ValueError("the chat template does not render new messages as an append-only suffix")
        return head, full[len(head):]

    def _turn_closer(self, prefix_ids: list[int], head: str) -> str:
        """The end-of-turn text the template puts after the last assistant message, minus what was sampled."""
        found = [(head.rfind(e), e) for e in self.eos_texts if e in head]
        if not found:
            return ""
        at, eos = max(found)
        closer = head[at:]
        sampled_eos = self.tok.decode([prefix_ids[-1]]) == eos
        return closer[len(eos):] if sampled_eos else closer

    def opens_thinking(self, prompt_text: str) -> bool:
        """Whether the prompt ends inside an open <think> block (templates that pre-open it)."""
        return prompt_text.rfind("<think>") > prompt_text.rfind("</think>")
