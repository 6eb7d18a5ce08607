"""`gymkit conformance`: every installed adapter agrees with the native path, a disagreement
fails the command, and a framework that is not installed is reported, never passed."""
from __future__ import annotations

from gymkit.cli import main
from gymkit.integrations import conformance
from gymkit.integrations.conformance import ADAPTERS, Outcome, installed


def test_conformance_passes_and_names_what_it_could_not_check(capsys):
    rc = main(["conformance", "--env", "math", "--env", "tool_calc"])
    out = capsys.readouterr().out
    assert rc == 0, out
    for adapter in ADAPTERS:
        if installed(adapter):
            assert "same" in out
        else:
            assert "not installed" in out and adapter in out.splitlines()[-1]
    assert "broken_task" in out and "error none" in out  # the env-crash case ran natively


def test_a_disagreeing_adapter_fails_the_command(capsys, monkeypatch):
    def lying(env, case):  # an adapter that turns every env error into a plain zero
        out = conformance.native(env, case)
        return Outcome(0.0 if out.reward is None else out.reward,
                       "wrong" if out.status == "error" else out.status, out.observations)

    monkeypatch.setitem(ADAPTERS, "trl", ("gymkit", lying))
    rc = main(["conformance", "--env", "math"])
    out = capsys.readouterr().out
    assert rc == 1 and "DIFF" in out and "status wrong != error" in out


def test_missing_framework_is_reported_not_installed(capsys, monkeypatch):
    monkeypatch.setattr(conformance, "installed", lambda adapter: False)
    assert main(["conformance", "--env", "math"]) == 0
    out = capsys.readouterr().out
    assert "same" not in out and out.count("not installed") >= 5 * len(ADAPTERS)
    assert "not installed here, so not checked: trl, verl, verifiers" in out


def test_learned_judge_envs_are_refused(capsys):
    assert main(["conformance", "--env", "rm_chat"]) == 2
    assert "learned model" in capsys.readouterr().err


def test_an_env_an_adapter_cannot_host_is_na_with_the_reason(capsys):
    assert main(["conformance", "--env", "wordle"]) == 0
    out = capsys.readouterr().out
    assert "same" not in out and "DIFF" not in out
    if installed("trl"):
        assert "n/a wordle / trl: env 'wordle' replies as a simulated user" in out
    if installed("verifiers"):
        assert "n/a wordle / verifiers: multi-turn envs" in out
