"""The `gymkit` command line. Input mistakes print one line and exit 2; no tracebacks."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .cli_conformance import conformance
from .cli_scorecard import scorecard
from .cli_verify import reverify, verify
from .errors import GymkitError
from .serve_env.command import serve_env_cmd

try:  # typer >= 0.2x vendors its own click
    from typer._click import exceptions as cx
except ImportError:  # older typer uses click itself
    from click import exceptions as cx
from .registry import (data_legend, data_sources, env_names, get_env_class, make_env,
                       parse_env_list)

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Verifiable RL environments for language models, and an RLVR trainer.")
envs_app = typer.Typer(no_args_is_help=True, help="Environments.")
rollouts_app = typer.Typer(no_args_is_help=True, help="Stored rollouts.")
models_app = typer.Typer(no_args_is_help=True, help="Model aliases.")
app.add_typer(envs_app, name="envs")
app.add_typer(rollouts_app, name="rollouts")
app.add_typer(models_app, name="models")
out = Console()
err = Console(stderr=True, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"gymkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_print_version,
                                       is_eager=True, help="Print gymkit's version and exit.")
          ) -> None:
    """Verifiable RL environments for language models, and an RLVR trainer."""


def env_row(name: str) -> dict:
    cls = get_env_class(name)
    env = cls()
    tools = [s["function"]["name"] for s in env.tool_schemas() or []]
    return {"name": name, "family": cls.family, "turns": "multi" if env.multi_turn else "single",
            "tools": tools, "verifier": cls.verifier, "difficulties": list(cls.difficulties),
            "data": data_sources(name)}


@envs_app.command("list")
def envs_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every registered env: family, turns, tools, where its tasks come from, verifier."""
    rows = [env_row(n) for n in env_names() if not n.startswith("test_")]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("env", "family", "turns", "tools", "data", "verifier", caption=data_legend())
    for r in rows:
        table.add_row(r["name"], r["family"], r["turns"], ", ".join(r["tools"]) or "-",
                      ", ".join(r["data"]), r["verifier"])
    out.print(table)


@app.command()
def tasks(env: str = typer.Option(..., help="Env name."), n: int = typer.Option(5, min=1),
          seed: int = typer.Option(0), difficulty: Optional[int] = typer.Option(None),
          out_file: Optional[Path] = typer.Option(None, "--out", help="Write JSONL here."),
          fmt: str = typer.Option("gymkit", "--format", help="gymkit | nemo-gym (rows with "
                                  "responses_create_params, for `gymkit serve-env`)."),
          agent: str = typer.Option("gymkit_simple_agent", "--agent-ref",
                                    help="nemo-gym rows: the NeMo Gym agent named in each row's "
                                    "agent_ref ('' for none).")) -> None:
    """Generate seeded tasks with their gold solutions."""
    if fmt not in ("gymkit", "nemo-gym"):
        raise GymkitError(f"--format {fmt!r}: choose gymkit or nemo-gym")
    made = make_env(env).generate(n, seed=seed, difficulty=difficulty)
    if fmt == "nemo-gym":
        from .serve_env.nemo_gym import task_to_row

        lines = [json.dumps(task_to_row(t, agent or None)) for t in made]
    else:
        lines = [t.model_dump_json() for t in made]
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text("\n".join(lines) + "\n")
        err.print(f"wrote {len(lines)} tasks to {out_file}")
    else:
        print("\n".join(lines))


@app.command("eval")
def eval_cmd(
    model: str = typer.Option("smollm2-135m", help="Alias, local path, checkpoint dir or HF id."),
    env: Optional[str] = typer.Option(None, help="Comma-separated env names (default: the "
                                      "env of --tasks, else math)."),
    n: Optional[int] = typer.Option(None, min=1, help="Tasks per env (default: 20 generated, "
                                    "or every row of a --tasks dataset)."),
    tasks: list[str] = typer.Option([], "--tasks", help="Task source, ENV=SPEC per env: "
                                    "generated, a .jsonl/.parquet file or save_to_disk folder, "
                                    "humaneval, bfcl:CATEGORY, an HF id openai/gsm8k:main:test; "
                                    "mix as SPEC@W,SPEC@W. See docs/datasets.md."),
    samples: int = typer.Option(1, min=1, help="Samples per task (k of pass@k, maj@k)."),
    backend: str = typer.Option("hf", help="hf | openai | vllm"),
    out_dir: Path = typer.Option(Path("runs/eval"), "--out"),
    seed: int = typer.Option(1_000_000, help="Task seed (eval seeds are disjoint from training)."),
    difficulty: Optional[int] = typer.Option(None),
    max_new_tokens: int = typer.Option(256, min=1),
    temperature: Optional[float] = typer.Option(None, help="Default: 0 for 1 sample, else 1.0."),
    enable_thinking: Optional[bool] = typer.Option(None, "--thinking/--no-thinking"),
    batch: int = typer.Option(32, min=1, help="Generation batch size."),
    actors: int = typer.Option(1, min=1, help="Ray actors per env."),
    ray_address: Optional[str] = typer.Option(None, help="Join this Ray cluster."),
    no_ray: bool = typer.Option(False, "--no-ray", help="Score in-process."),
    base_url: Optional[str] = typer.Option(None, help="openai backend: server URL."),
    env_option: list[str] = typer.Option([], "--env-option",
                                         help="ENV.KEY=VALUE env option, e.g. math.fewshot=2."),
    resume: bool = typer.Option(False, "--resume",
                                help="Keep the finished tasks in OUT/rollouts.jsonl; run the rest."),
    env_server: Optional[str] = typer.Option(None, "--env-server",
                                             help="Score on this `gymkit serve-env` URL."),
) -> None:
    """Evaluate a model or checkpoint offline across envs."""
    from .evaluate import checkpoint_step, eval_tasks, evaluate, parse_env_options
    from .metrics import unscored_envs
    from .policy import load_policy
    from .policy.base import SamplingParams

    from .datasets import assign_sources

    names, sources = assign_sources(tasks, parse_env_list(env) if env else None)
    names = names or ["math"]
    temp = temperature if temperature is not None else (0.0 if samples == 1 else 1.0)
    params = SamplingParams(max_new_tokens=max_new_tokens, temperature=temp,
                            enable_thinking=enable_thinking, seed=seed)
    options = parse_env_options(env_option, names)
    notes: dict[str, dict] = {}
    task_list = eval_tasks(names, n, seed, difficulty, options, sources, notes)
    for name, note in notes.items():  # the rows a loader skipped were logged as it read them
        note.pop("summary")
        err.print(f"{name}: {note['tasks']} tasks from {note['source']}", highlight=False)
    opts = {"base_url": base_url} if base_url else {}
    policy = load_policy(model, backend=backend, **opts)
    header = {"model": model, "checkpoint_step": checkpoint_step(model), "backend": backend,
              "envs": names, "n": n, "seed": seed, "difficulty": difficulty,
              "env_options": options, "base_url": base_url, "task_sources": notes,
              "env_server": env_server}
    metrics = evaluate(policy, task_list, out_dir, samples=samples, params=params,
                       use_ray=not no_ray, actors_per_env=actors, gen_batch=batch,
                       ray_address=ray_address, env_config=options, header=header, resume=resume,
                       env_server=env_server)
    _print_metrics(metrics)
    err.print(f"wrote {out_dir}/rollouts.jsonl, metrics.json, report.md, report.png")
    empty = unscored_envs(metrics)
    if empty:  # a pass@1 of "n/a" must not exit like a finished evaluation
        err.print(f"[red]error:[/] nothing was scored for {', '.join(empty)} (every rollout "
                  f"error or timeout; see rollouts.jsonl)", highlight=False)
        raise typer.Exit(1)


def _print_metrics(metrics: dict) -> None:
    from .report import cell

    if not metrics:
        return
    cols = list(next(iter(metrics.values())))
    table = Table("env", *cols)
    for env, m in metrics.items():
        table.add_row(env, *[cell(v) for v in m.values()])
    out.print(table)


@app.command("check-env")
def check_env_cmd(name: Optional[str] = typer.Argument(None),
                  all_envs: bool = typer.Option(False, "--all")) -> None:
    """Conformance check: determinism, gold scores 1, garbage scores 0, valid tool schemas."""
    from .check import check_env

    if not name and not all_envs:
        raise GymkitError("give an env name or --all")
    names = [n for n in env_names() if not n.startswith("test_")] if all_envs else [name]
    failed = 0
    for n in names:
        env = make_env(n)
        try:
            problems = check_env(env)
        finally:
            env.close()
        failed += bool(problems)
        out.print(f"[{'red' if problems else 'green'}]{'FAIL' if problems else 'ok'}[/] {n}")
        for p in problems:
            out.print(f"    - {p}")
    if failed:
        raise typer.Exit(1)


@app.command("new-env")
def new_env(name: str = typer.Argument(..., help="snake_case env name."),
            dest: Optional[Path] = typer.Option(None, help="Folder to write (default: envs/NAME "
                                                "in a gymkit checkout, else ./NAME).")) -> None:
    """Write a working skeleton env, with a test that passes."""
    from .scaffold import next_command, write_skeleton

    paths = write_skeleton(name, dest)
    for path in paths:
        out.print(f"wrote {path}", highlight=False)
    out.print(f"next: {next_command(paths)}", highlight=False)
    try:
        import pytest  # noqa: F401  (the next command runs it)
    except ImportError:
        out.print("      (pytest is not installed: pip install pytest)", highlight=False)


@models_app.command("list")
def models_list() -> None:
    """Model aliases and what they resolve to."""
    from .policy.models import list_models

    table = Table("alias", "resolves to", "params", "description")
    for spec in list_models():
        table.add_row(spec.name, spec.hf_id or "(built on the fly)", spec.params, spec.description)
    out.print(table)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def serve(ctx: typer.Context, preset: str = typer.Argument(..., help="nano-30b | nano-4b"),
          dry_run: bool = typer.Option(False, "--dry-run", help="Validate and print the command.")
          ) -> None:
    """Serve a Nemotron preset with `vllm serve` (tool-call and reasoning parsers set).

    Extra flags: --host, --port, --tp, --max-model-len, --gpu-memory-utilization."""
    from .policy import vllm_presets

    rc = vllm_presets.main([preset, *(["--dry-run"] if dry_run else []), *ctx.args])
    if rc:
        raise typer.Exit(rc)


def _mount_training() -> None:
    try:
        from . import cli_train
    except ImportError:  # the trainer is optional at import time (e.g. a partial install)
        return
    app.command("train")(cli_train.train)
    app.command("train-rm")(cli_train.train_rm)


_mount_training()

app.command("scorecard")(scorecard)
app.command("conformance")(conformance)
app.command("verify")(verify)
rollouts_app.command("reverify")(reverify)
app.command("serve-env")(serve_env_cmd)


def _usage_line(e: cx.UsageError) -> str:
    msg = e.format_message()
    if isinstance(e, cx.NoSuchOption) and e.ctx is not None:
        opts = sorted(o for p in e.ctx.command.params for o in p.opts if o.startswith("--"))
        msg = f"no such option {e.option_name} for 'gymkit {e.ctx.info_name}'; valid: {', '.join(opts)}"
    elif isinstance(e, cx.UsageError) and e.ctx is not None and "No such command" in msg:
        cmds = sorted(getattr(e.ctx.command, "commands", {}) or {})
        msg = f"{msg.rstrip('.')}; valid: {', '.join(cmds)}"
    return msg


def main(argv: list[str] | None = None) -> int:
    try:
        rv = app(args=argv, prog_name="gymkit", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except GymkitError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        return 2
    except cx.UsageError as e:
        if isinstance(e, getattr(cx, "NoArgsIsHelpError", ())):  # bare `gymkit`: help was shown
            if e.format_message().strip():
                err.print(e.format_message(), markup=False, highlight=False)
            return 0
        err.print(f"[red]error:[/] {_usage_line(e)}", highlight=False)
        return 2
    except typer.Exit as e:
        return e.exit_code
    except ModuleNotFoundError as e:  # an optional dependency a base install leaves out
        from rich.markup import escape

        from .extras import missing_extra

        if (line := missing_extra(e)) is None:
            raise
        err.print(f"[red]error:[/] {escape(line)}", highlight=False)  # "[ray]" is no markup
        return 2
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
