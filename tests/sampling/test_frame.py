"""Frame building: township filter, poverty line of the exit year, margin, bands, fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_contracts.errors import ExitcheckError
from sampling.frame import assign_risk_band, build_frame, risk_band_labels


def test_frame_lines_margin_and_bands(tables) -> None:
    households, villages, lines = tables
    frame = build_frame(households, villages, lines, "甲镇")
    assert frame.households == 125 and frame.units["township"].eq("甲镇").all()
    line = frame.units["poverty_line"].to_numpy()
    y2016 = frame.units["exit_year"].eq(2016).to_numpy()
    assert np.all(line[y2016] == 3372.0) and np.all(line[~y2016] == 3600.0)  # provincial preferred
    row = frame.units.iloc[0]
    assert row["margin"] == pytest.approx(row["income_per_capita"] / row["poverty_line"] - 1)
    assert frame.units["household_id"].is_monotonic_increasing
    assert frame.persons == int(
        households.loc[households.township == "甲镇", "household_size"].sum()
    )
    summary = frame.summary()
    assert summary["households"].sum() == 125 and summary.loc[0, "households"] == 40
    assert summary[["<10%", "10-30%", ">=30%"]].sum(axis=1).eq(summary["households"]).all()
    assert "甲镇" in repr(frame)


def test_risk_bands_cut_points() -> None:
    margin = pd.Series([-0.2, 0.0999, 0.1, 0.2999, 0.3, 2.0, np.nan])
    assert assign_risk_band(margin).to_list() == [
        "<10%", "<10%", "10-30%", "10-30%", ">=30%", ">=30%", "unknown"
    ]  # fmt: skip
    assert risk_band_labels([0.05, 0.15, 0.5]) == ["<5%", "5-15%", "15-50%", ">=50%"]
    with pytest.raises(ExitcheckError, match="increasing"):
        assign_risk_band(margin, [0.3, 0.1])


def test_exit_year_filter_and_fingerprint(tables) -> None:
    households, villages, lines = tables
    a = build_frame(households, villages, lines, "甲镇", exit_years=[2016])
    assert a.units["exit_year"].eq(2016).all() and a.exit_years == (2016,)
    shuffled = households.sample(frac=1.0, random_state=1)
    assert (
        build_frame(shuffled, villages, lines, "甲镇").fingerprint
        == build_frame(households, villages, lines, "甲镇").fingerprint
    )
    changed = households.assign(income_per_capita=households["income_per_capita"] + 1)
    assert build_frame(changed, villages, lines, "甲镇").fingerprint != a.fingerprint


def test_frame_errors_name_the_problem(tables) -> None:
    households, villages, lines = tables
    with pytest.raises(ExitcheckError, match="known townships: 乙镇, 甲镇"):
        build_frame(households, villages, lines, "丙镇")
    with pytest.raises(ExitcheckError, match=r"no poverty line for exit year\(s\) \[2017\]"):
        build_frame(households, villages, lines[lines.year == 2016], "甲镇")
    with pytest.raises(ExitcheckError, match="V03"):
        build_frame(households, villages[villages.village_id != "V03"], lines, "甲镇")
    with pytest.raises(ExitcheckError, match="no households that exited in"):
        build_frame(households, villages, lines, "甲镇", exit_years=[2019])
