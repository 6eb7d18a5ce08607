"""Evaluation reports: a markdown table and a bar chart of the per-env metrics."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def cell(value: Any) -> str:
    """One table cell: floats to 3 places, None (nothing scored) as n/a."""
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(metrics: dict[str, dict[str, Any]], header: dict[str, Any]) -> str:
    """The report: the header's settings as a list, then one table row per env."""
    lines = ["# gymkit evaluation", ""]
    lines += [f"- **{k}**: {v}" for k, v in header.items()]
    lines.append("")
    if not metrics:
        return "\n".join(lines + ["(no rollouts)"])
    cols = list(next(iter(metrics.values())).keys())
    lines.append("| env | " + " | ".join(cols) + " |")
    lines.append("|---|" + "---|" * len(cols))
    for env, m in metrics.items():
        cells = [cell(v) for v in m.values()]
        lines.append(f"| {env} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def chart(metrics: dict[str, dict[str, Any]], path: Path, title: str) -> list[str]:
    """A grouped bar chart of the pass/maj figures and the error, timeout and truncated rates
    per env, saved to `path`; returns the metric names it plotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    envs = list(metrics)
    keys = [k for k in next(iter(metrics.values())) if k.startswith(("pass@", "maj@"))]
    keys += ["error_rate", "timeout_rate", "truncated_rate"]
    width = 0.8 / len(keys)
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(envs) * len(keys) / 3), 4))
    for i, key in enumerate(keys):
        xs = [j + i * width for j in range(len(envs))]
        values = [metrics[e].get(key) for e in envs]
        bars = ax.bar(xs, [v or 0.0 for v in values], width, label=key)
        ax.bar_label(bars, labels=["n/a" if v is None else f"{v:.2f}" for v in values], fontsize=7)
    ax.set_xticks([j + width * (len(keys) - 1) / 2 for j in range(len(envs))], envs)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=len(keys))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return keys
