"""Report figures: SVG with text kept as text, CJK fonts, correct colours and scales."""

from __future__ import annotations

import io
import re
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from scipy import stats

from data_contracts.messages import MessageError
from reports import figures


@pytest.fixture(autouse=True)
def _style():
    with mpl.rc_context():
        figures.use_report_style()
        yield


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def test_style_keeps_text_as_text_and_prefers_cjk() -> None:
    assert mpl.rcParams["svg.fonttype"] == "none"
    assert mpl.rcParams["font.sans-serif"][-1] == "DejaVu Sans"
    found = figures.available_cjk_fonts()
    assert mpl.rcParams["font.sans-serif"][: len(found)] == found


@pytest.mark.skipif(not figures.available_cjk_fonts(), reason="no CJK font installed")
def test_cjk_font_found_on_this_machine() -> None:
    # .ci/run installs fonts-noto-cjk; matplotlib must see it
    assert "Noto Sans CJK SC" in figures.available_cjk_fonts()


def test_forest_plot_colours_rows_by_evidence() -> None:
    frame = pd.DataFrame(
        {
            "乡镇": ["甲镇", "乙乡", "丙乡"],
            "estimate": [0.005, 0.05, 0.02],
            "ci_low": [0.0, 0.03, 0.01],
            "ci_high": [0.015, 0.08, 0.04],
        }
    )
    fig = figures.forest_plot(
        frame, label="乡镇", threshold=0.02, threshold_label="2% 标准线", title="错退率"
    )
    ax = fig.axes[0]
    colours = [to_hex(c) for c in ax.collections[1].get_facecolors()]
    assert colours == [figures.PASS_COLOR, figures.FAIL_COLOR, figures.GREY]
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "甲镇"  # first row on top, as in the table
    svg = _svg(fig)
    assert "错退率" in svg and "甲镇" in svg and "2% 标准线" in svg  # text, not paths


def test_forest_plot_higher_is_better() -> None:
    frame = pd.DataFrame(
        {"t": ["a", "b"], "estimate": [0.95, 0.85], "ci_low": [0.92, 0.8], "ci_high": [0.97, 0.88]}
    )
    fig = figures.forest_plot(frame, label="t", threshold=0.9, higher_is_better=True)
    colours = [to_hex(c) for c in fig.axes[0].collections[1].get_facecolors()]
    assert colours == [figures.PASS_COLOR, figures.FAIL_COLOR]


def test_income_scatter_log_axes_and_line() -> None:
    frame = pd.DataFrame(
        {
            "income_per_capita": [4000.0, 5000, 6000, 0],
            "surveyed_income_per_capita": [3000.0, 5200, 6100, 10],
            "wrong": [True, False, False, False],
        }
    )
    fig = figures.income_scatter(frame, poverty_line=3500, wrong="wrong")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    red = ax.collections[1].get_offsets()
    np.testing.assert_allclose(red, [[4000.0, 3000.0]])
    assert len(ax.collections[0].get_offsets()) == 2  # zero income dropped from a log plot
    assert "贫困线" in _svg(fig)


def test_bland_altman_defaults_to_sample_limits() -> None:
    frame = pd.DataFrame(
        {
            "income_per_capita": [1000.0, 2000, 4000],
            "surveyed_income_per_capita": [1100.0, 1800, 4000],
        }
    )
    fig = figures.bland_altman(frame)
    diff = np.log([1.1, 0.9, 1.0])
    z = stats.norm.ppf(0.975)  # the exact 95% quantile (1.959964…), as evaluation.income uses
    lines = sorted(ln.get_ydata()[0] for ln in fig.axes[0].get_lines() if len(ln.get_ydata()))
    expected = sorted(
        [
            0.0,
            diff.mean(),
            diff.mean() - z * diff.std(ddof=1),
            diff.mean() + z * diff.std(ddof=1),
        ]
    )
    np.testing.assert_allclose(lines, expected, atol=1e-12)


def test_style_without_cjk_fonts_falls_back_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "available_cjk_fonts", lambda: [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures.use_report_style()
        assert mpl.rcParams["font.sans-serif"] == ["DejaVu Sans"]
        fig = figures.forest_plot(
            pd.DataFrame({"t": ["甲镇"], "estimate": [0.01], "ci_low": [0.0], "ci_high": [0.03]}),
            label="t",
            threshold=0.02,
            title="错退率",
        )
        svg = _svg(fig)  # no missing-glyph warning raised as an error
    assert "错退率" in svg and "甲镇" in svg  # still text: the browser draws it with CJK fonts


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
INCOMES = pd.DataFrame(
    {
        "income_per_capita": [4000.0, 5000, 6000],
        "surveyed_income_per_capita": [3000.0, 5200, 6100],
        "wrong": [True, False, False],
    }
)


def _labels(fig) -> list[str]:
    """Title, axis labels and legend entries of the figure's only axes."""
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    return [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *legend]


def test_chinese_labels_are_the_default() -> None:
    scatter = figures.income_scatter(INCOMES, poverty_line=3500, wrong="wrong")
    assert _labels(scatter) == [
        "", "登记收入（元/人·年）", "核实收入（元/人·年）", "错退", "相等线", "贫困线"
    ]  # fmt: skip
    ba = figures.bland_altman(INCOMES, bias=0.05, limits=(-0.2, 0.3))
    assert _labels(ba) == [
        "",
        "登记与核实收入的几何平均（元/人·年）",
        "log(核实 / 登记)",
        "平均差 +0.050",
        "95%一致性界限",
    ]
    ba99 = figures.bland_altman(INCOMES, bias=0.05, limits=(-0.2, 0.3), level=0.99)
    assert _labels(ba99)[-1] == "99%一致性界限"  # the legend follows the level


def test_english_labels_only_in_english() -> None:
    scatter = figures.income_scatter(INCOMES, poverty_line=3500, wrong="wrong", lang="en")
    assert _labels(scatter) == [
        "",
        "Reported income (yuan per person-year)",
        "Surveyed income (yuan per person-year)",
        "Wrong exit",
        "Line of equality",
        "Poverty line",
    ]
    ba = figures.bland_altman(INCOMES, bias=-0.05, limits=(-0.2, 0.3), lang="en")
    assert _labels(ba) == [
        "",
        "Geometric mean of reported and surveyed income (yuan per person-year)",
        "log(surveyed / reported)",
        "Mean difference -0.050",
        "95% limits of agreement",
    ]
    forest = figures.forest_plot(
        pd.DataFrame({"t": ["A"], "estimate": [0.01], "ci_low": [0.0], "ci_high": [0.03]}),
        label="t",
        threshold=0.02,
        threshold_label="2% line",
        title="Wrong-exit rate",
        xlabel="p",
    )
    assert _labels(forest) == ["Wrong-exit rate", "p", "", "2% line"]
    for fig in (scatter, ba, forest):
        svg = _svg(fig)
        assert not CJK.findall(svg), CJK.findall(svg)  # no Chinese left anywhere in the SVG
    assert "Line of equality" in _svg(scatter)  # labels are SVG text


def test_unknown_language_is_refused() -> None:
    with pytest.raises(MessageError, match=r"unknown language 'fr'; choose one of zh, en"):
        figures.bland_altman(INCOMES, lang="fr")
