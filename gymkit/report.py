"""Evaluation reports: a markdown table and a bar chart of the per-env metrics."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def markdown(metrics: dict[str, dict[str, Any]], header: dict[str, Any]) -> str:
    lines = ["# gymkit evaluation", ""]
    lines += [f"- **{k}**: {v}" for k, v in header.items()]
    lines.append("")
    if not metrics:
        return "\n".join(lines + ["(no rollouts)"])
    cols = list(next(iter(metrics.values())).keys())
    lines.append("| env | " + " | ".join(cols) + " |")
    lines.append("|---|" + "---|" * len(cols))
    for env, m in metrics.items():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in m.values()]
        lines.append(f"| {env} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def chart(metrics: dict[str, dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    envs = list(metrics)
    keys = [k for k in next(iter(metrics.values())) if k.startswith(("pass@", "maj@"))]
    keys += ["error_rate", "timeout_rate"]
    width = 0.8 / len(keys)
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(envs) * len(keys) / 3), 4))
    for i, key in enumerate(keys):
        xs = [j + i * width for j in range(len(envs))]
        bars = ax.bar(xs, [metrics[e][key] for e in envs], width, label=key)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width * (len(keys) - 1) / 2 for j in range(len(envs))], envs)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=len(keys))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
