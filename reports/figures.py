"""Figures for the township and district reports (报告图表), drawn with matplotlib.

Call :func:`use_report_style` once (the notebooks do it in their import cell). Figures are SVG
with ``svg.fonttype = "none"``: labels stay text, so the browser draws Chinese with the page's CJK
fonts even on a machine where matplotlib finds no CJK font (then only label widths are estimated).
Every function takes a plain DataFrame, returns a ``matplotlib.figure.Figure`` built without
pyplot (no global figure state, safe in parallel runs) and draws nothing else. Each takes
``lang="zh"`` (简体中文, the default) or ``"en"`` and labels the figure in that language only
(words from the catalogue, topic ``figure``); the forest plot takes labels already worded.
"""

from __future__ import annotations

import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from scipy import stats

from data_contracts.messages import text

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
    "Noto Serif CJK SC",
)
PASS_COLOR = "#1a7f37"
FAIL_COLOR = "#cf222e"
MAIN_COLOR = "#0969da"
GREY = "#59636e"


def available_cjk_fonts() -> list[str]:
    """The CJK font families from :data:`CJK_FONTS` that matplotlib can find on this machine."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed]


def use_report_style() -> None:
    """Configure matplotlib for reports in one place (call it once per kernel/process).

    Sets SVG output with text kept as text, a CJK-first sans-serif font list and a proper minus
    sign. Without any CJK font the figures still show Chinese in the browser (text is text);
    matplotlib's missing-glyph warnings are then silenced rather than printed into the report.
    """
    cjk = available_cjk_fonts()
    mpl.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": [*cjk, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.bbox": "tight",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )
    if not cjk:
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
    _select_svg_output()


def _select_svg_output() -> None:
    """Make IPython display figures as SVG when running inside a kernel."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg")


def _plain_log_axis(axis) -> None:
    """Tick labels of a log axis as plain numbers with separators ("3,000", not "3×10³")."""
    axis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    axis.set_minor_formatter(mpl.ticker.NullFormatter())


def _pct(ax, axis: str = "x") -> None:
    """Format an axis as percentages."""
    fmt = mpl.ticker.PercentFormatter(xmax=1.0, decimals=1)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def forest_plot(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
    threshold: float | None = None,
    threshold_label: str = "",
    higher_is_better: bool = False,
    title: str = "",
    xlabel: str = "",
) -> Figure:
    """Point estimates with confidence intervals per row, against a threshold line.

    Rows whose interval lies entirely on the wrong side of ``threshold`` are red, entirely on the
    right side green, straddling ones grey. Used for wrong-exit rates (2%) and approval (90%).
    The labels are already worded in the report's language (from the catalogue).
    """
    data = frame.reset_index(drop=True)
    n = len(data)
    fig = Figure(figsize=(7.0, 1.2 + 0.42 * max(n, 1)))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    est = data[estimate].to_numpy(float)
    lo = data[low].to_numpy(float)
    hi = data[high].to_numpy(float)
    colors = np.full(n, GREY, dtype=object)
    if threshold is not None:
        good = lo >= threshold if higher_is_better else hi < threshold
        bad = hi < threshold if higher_is_better else lo >= threshold
        colors[good] = PASS_COLOR
        colors[bad] = FAIL_COLOR
        ax.axvline(threshold, color=FAIL_COLOR, linestyle="--", lw=1.2, label=threshold_label)
    ax.hlines(y, lo, hi, colors=list(colors), linewidth=2.2)
    ax.scatter(est, y, c=list(colors), zorder=3, s=36)
    ax.set_yticks(y, data[label].astype(str).tolist())
    ax.set_ylim(-0.7, n - 0.3)
    _pct(ax, "x")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    if threshold_label:
        ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    return fig


def income_scatter(
    frame: pd.DataFrame,
    *,
    reported: str = "income_per_capita",
    surveyed: str = "surveyed_income_per_capita",
    poverty_line: float | None = None,
    wrong: str | None = None,
    lang: str = "zh",
) -> Figure:
    """Reported vs surveyed per-capita income on log axes with the line of equality.

    The poverty line is drawn on both axes; points flagged in column ``wrong`` are red. Labels
    come from the catalogue (topic ``figure``) in ``lang``.
    """
    x = frame[reported].to_numpy(float)
    y = frame[surveyed].to_numpy(float)
    keep = (x > 0) & (y > 0)
    flag = frame[wrong].fillna(False).to_numpy(bool) if wrong else np.zeros(len(frame), bool)
    fig = Figure(figsize=(6.0, 5.4))
    ax = fig.subplots()
    ax.scatter(x[keep & ~flag], y[keep & ~flag], s=14, alpha=0.6, color=MAIN_COLOR)
    if flag.any():
        ax.scatter(
            x[keep & flag], y[keep & flag], s=22, color=FAIL_COLOR,
            label=text("figure.wrong_exit", lang),
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    both = np.concatenate([x[keep], y[keep], [poverty_line or np.nan]])
    lo, hi = np.nanmin(both) / 1.3, np.nanmax(both) * 1.3
    ax.plot([lo, hi], [lo, hi], color=GREY, linewidth=1, label=text("figure.equality", lang))
    if poverty_line:
        ax.axhline(
            poverty_line, color=FAIL_COLOR, linestyle="--", linewidth=1,
            label=text("figure.poverty_line", lang),
        )  # fmt: skip
        ax.axvline(poverty_line, color=FAIL_COLOR, linestyle=":", linewidth=1)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    _plain_log_axis(ax.xaxis)
    _plain_log_axis(ax.yaxis)
    ax.set_xlabel(text("figure.reported_income", lang))
    ax.set_ylabel(text("figure.surveyed_income", lang))
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def bland_altman(
    frame: pd.DataFrame,
    *,
    reported: str = "income_per_capita",
    surveyed: str = "surveyed_income_per_capita",
    bias: float | None = None,
    limits: tuple[float, float] | None = None,
    level: float = 0.95,
    lang: str = "zh",
) -> Figure:
    """Bland–Altman plot on the log scale: log(surveyed/reported) against the mean log income.

    ``bias`` and ``limits`` (limits of agreement at ``level``, same log scale) come from the
    evaluation results; without them they are computed as mean ± z·SD of the plotted differences.
    """
    x = frame[reported].to_numpy(float)
    y = frame[surveyed].to_numpy(float)
    keep = (x > 0) & (y > 0)
    mean_log = (np.log(x[keep]) + np.log(y[keep])) / 2
    diff = np.log(y[keep]) - np.log(x[keep])
    if bias is None:
        bias = float(np.mean(diff)) if diff.size else 0.0
    if limits is None:
        sd = float(np.std(diff, ddof=1)) if diff.size > 1 else 0.0
        z = float(stats.norm.ppf(0.5 + level / 2))
        limits = (bias - z * sd, bias + z * sd)
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    ax.scatter(np.exp(mean_log), diff, s=14, alpha=0.6, color=MAIN_COLOR)
    ax.set_xscale("log")
    _plain_log_axis(ax.xaxis)
    ax.axhline(0, color=GREY, linewidth=1)
    ax.axhline(
        bias, color=MAIN_COLOR, linewidth=1.4,
        label=text("figure.mean_difference", lang, bias=f"{bias:+.3f}"),
    )  # fmt: skip
    for lim in limits:
        ax.axhline(lim, color=FAIL_COLOR, linestyle="--", linewidth=1)
    level_text = f"{level * 100:.10g}%"
    ax.plot(
        [],
        [],
        color=FAIL_COLOR,
        linestyle="--",
        label=text("figure.limits", lang, level=level_text),
    )
    ax.set_xlabel(text("figure.geometric_mean", lang))
    ax.set_ylabel(text("figure.log_ratio", lang))
    ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    return fig
