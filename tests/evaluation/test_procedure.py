"""Procedure compliance: inclusive day counts, order of steps, acknowledgement, missing dates."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.procedure import household_procedure, village_procedure

GOOD = {
    "appraisal_date": "2017-06-01",
    "notice_start": "2017-06-02",
    "notice_end": "2017-06-08",  # 7 days inclusive
    "township_review_date": "2017-06-09",
    "announce_start": "2017-06-10",
    "announce_end": "2017-06-14",  # 5 days inclusive
}


def households(*changes: dict) -> pd.DataFrame:
    rows = []
    for i, change in enumerate(changes):
        row = {"household_id": f"H{i}", "village_id": "V1", **GOOD, "household_acknowledged": True}
        row.update(change)
        rows.append(row)
    df = pd.DataFrame(rows)
    for col in GOOD:
        df[col] = pd.to_datetime(df[col])
    df["household_acknowledged"] = df["household_acknowledged"].astype("boolean")
    return df


def test_exact_minimum_periods_comply():
    check = household_procedure(households({}))
    assert check.compliant == 1 and check.rate == 1.0
    assert check.table.loc[0, "notice_days"] == 7
    assert check.table.loc[0, "announce_days"] == 5


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"notice_end": "2017-06-07", "township_review_date": "2017-06-08"}, "notice_too_short"),
        ({"announce_end": "2017-06-13"}, "announcement_too_short"),
        ({"appraisal_date": "2017-06-03"}, "steps_out_of_order"),
        ({"township_review_date": "2017-06-08"}, "steps_out_of_order"),  # on the notice's last day
        ({"township_review_date": "2017-06-11"}, "steps_out_of_order"),  # after announcing
        ({"household_acknowledged": False}, "acknowledgement_missing"),
        ({"household_acknowledged": None}, "acknowledgement_missing"),
        ({"township_review_date": None}, "dates_incomplete"),
    ],
)
def test_each_violation(change, code):
    check = household_procedure(households({}, change))
    assert check.assessed == 2
    assert check.compliant == 1
    assert check.rate == pytest.approx(0.5)
    bad = check.violations()
    assert list(bad["household_id"]) == ["H1"]
    assert bad.loc[0, code]
    assert check.counts()[code] == 1


def test_same_day_point_events_allowed():
    change = {
        "appraisal_date": "2017-06-02",
        "announce_start": "2017-06-09",
        "announce_end": "2017-06-13",
    }
    assert household_procedure(households(change)).compliant == 1


def test_no_dates_is_not_assessable():
    change = dict.fromkeys(GOOD)
    check = household_procedure(
        households({}, change, {"notice_end": "2017-06-05", "township_review_date": "2017-06-06"})
    )
    assert check.assessed == 2 and check.not_assessable == 1
    assert check.compliant == 1
    assert check.to_frame().loc[0, "notice_too_short"] == 1
    assert "notice_too_short" in check.violations().loc[0, "violations"].split(";")


def test_villages():
    v = pd.DataFrame(
        {
            "village_id": ["V1", "V2"],
            "notice_start": pd.to_datetime(["2017-07-01", "2017-07-01"]),
            "notice_end": pd.to_datetime(["2017-07-07", "2017-07-07"]),
            "announce_start": pd.to_datetime(["2017-07-08", "2017-07-07"]),
            "announce_end": pd.to_datetime(["2017-07-12", "2017-07-11"]),
        }
    )
    check = village_procedure(v)
    assert check.compliant == 1
    assert list(check.violations()["village_id"]) == ["V2"]
    assert check.violations().loc[0, "steps_out_of_order"]
    assert "1/2" in repr(check)
