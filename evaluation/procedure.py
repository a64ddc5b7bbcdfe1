"""Procedure compliance (程序合规) of household and village exits, from the registry's dates.

Household procedure (户退出程序): 民主评议 (appraisal) → 公示 (public notice, at least 7 days)
→ 乡镇审核 (township review) → 公告 (public announcement, at least 5 days), and 户认可 (the
household acknowledged the exit). Village procedure: 公示 (≥ 7 days) → 公告 (≥ 5 days).

**Counting days.** A period's length counts *both ends inclusive*: a notice posted from 1 June to
7 June has been up for 7 days (end − start + 1), because it hangs on the wall on both of those
days. The same convention decides the order rule: a step that follows a notice or announcement
period must fall *after* its last day (a review on the notice's last day would happen while the
notice is still up), whereas a one-day event (appraisal, review) may be followed by the next step
on the same day.

Only records that carry at least one procedure date are assessed ("where the registry has the
dates"); records with no dates at all are counted as *not assessable*, records with some dates
missing are violations (``dates_incomplete``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_contracts import records
from data_contracts.errors import RequestError

VIOLATIONS = (
    "dates_incomplete",
    "notice_too_short",
    "announcement_too_short",
    "steps_out_of_order",
    "acknowledgement_missing",
)
"""Procedure violation codes (程序日期不全、公示不足、公告不足、程序顺序不符、无户认可记录); the
reports word them from the catalogue."""
HOUSEHOLD_DATES = (
    "appraisal_date",
    "notice_start",
    "notice_end",
    "township_review_date",
    "announce_start",
    "announce_end",
)
VILLAGE_DATES = ("notice_start", "notice_end", "announce_start", "announce_end")


@dataclass(frozen=True)
class ProcedureCheck:
    """Per-record procedure checks for households or villages (a census of the registry)."""

    unit: str  # "household" or "village"
    table: pd.DataFrame  # id, assessable, compliant, one bool column per violation, violations

    @property
    def assessed(self) -> int:
        """Records with procedure dates."""
        return int(self.table["assessable"].sum())

    @property
    def not_assessable(self) -> int:
        """Records with no procedure date at all."""
        return int((~self.table["assessable"]).sum())

    @property
    def compliant(self) -> int:
        """Assessed records without any violation."""
        return int(self.table["compliant"].sum())

    @property
    def rate(self) -> float:
        """Compliance rate among assessed records (NaN when none could be assessed)."""
        return self.compliant / self.assessed if self.assessed else float("nan")

    def violations(self) -> pd.DataFrame:
        """The assessed records with at least one violation."""
        t = self.table
        return t.loc[t["assessable"] & ~t["compliant"]].reset_index(drop=True)

    def counts(self) -> pd.Series:
        """Number of records with each violation."""
        return self.table[list(self._codes())].sum().rename("records")

    def _codes(self) -> list[str]:
        return [c for c in VIOLATIONS if c in self.table.columns]

    def to_record(self) -> records.ProcedureResult:
        """The record of this census (counts per violation code)."""
        return records.ProcedureResult(
            unit=self.unit,
            assessed=self.assessed,
            not_assessable=self.not_assessable,
            compliant=self.compliant,
            rate=self.rate,
            violations={k: int(v) for k, v in self.counts().items()},
        )

    def to_frame(self) -> pd.DataFrame:
        """One row: unit, assessed, not assessable, compliant, rate, and counts per violation."""
        row = {
            "unit": self.unit,
            "assessed": self.assessed,
            "not_assessable": self.not_assessable,
            "compliant": self.compliant,
            "rate": self.rate,
            **self.counts().to_dict(),
        }
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        return (
            f"ProcedureCheck({self.unit}: {self.compliant}/{self.assessed} compliant "
            f"({self.rate:.1%}), {self.not_assessable} without dates)"
        )


def _days(end: pd.Series, start: pd.Series) -> np.ndarray:
    """Inclusive length in days of a period (NaN when a date is missing)."""
    delta = (pd.to_datetime(end) - pd.to_datetime(start)).dt.days
    return delta.to_numpy(dtype=float, na_value=np.nan) + 1


def _before(a: pd.Series, b: pd.Series, strict: bool) -> np.ndarray:
    """a precedes b (strictly, or on the same day allowed); False when a date is missing."""
    a, b = pd.to_datetime(a), pd.to_datetime(b)
    ok = (a < b) if strict else (a <= b)
    return ok.fillna(False).to_numpy(dtype=bool)


def _check(
    records: pd.DataFrame,
    id_column: str,
    dates: tuple[str, ...],
    order: list[tuple[str, str, bool]],
    notice_days: int,
    announce_days: int,
) -> pd.DataFrame:
    missing_cols = [c for c in (id_column, *dates) if c not in records.columns]
    if missing_cols:
        raise RequestError(f"procedure check: registry table lacks columns {missing_cols}")
    present = records[list(dates)].notna()
    assessable = present.any(axis=1).to_numpy()
    complete = present.all(axis=1).to_numpy()
    notice = _days(records["notice_end"], records["notice_start"])
    announce = _days(records["announce_end"], records["announce_start"])
    in_order = np.logical_and.reduce([_before(records[a], records[b], s) for a, b, s in order])
    table = pd.DataFrame({id_column: records[id_column].to_numpy(), "assessable": assessable})
    table["dates_incomplete"] = assessable & ~complete
    table["notice_too_short"] = notice < notice_days
    table["announcement_too_short"] = announce < announce_days
    table["steps_out_of_order"] = complete & ~in_order
    table["notice_days"] = notice
    table["announce_days"] = announce
    return table


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    codes = [c for c in VIOLATIONS if c in table.columns]
    flags = table[codes].to_numpy(dtype=bool) & table["assessable"].to_numpy()[:, None]
    table[codes] = flags
    table["compliant"] = table["assessable"] & ~flags.any(axis=1)
    text = pd.Series("", index=table.index, dtype="str")
    for j, code in enumerate(codes):
        text = text + np.where(flags[:, j], code + ";", "")
    table["violations"] = text.str.removesuffix(";")
    return table


def household_procedure(
    households: pd.DataFrame, notice_days: int = 7, announce_days: int = 5
) -> ProcedureCheck:
    """Check each exited household's procedure dates and acknowledgement (户认可).

    Order rule: appraisal ≤ notice start; notice end < township review; review ≤ announcement
    start (see the module docstring for the inclusive day count).
    """
    order = [
        ("appraisal_date", "notice_start", False),
        ("notice_end", "township_review_date", True),
        ("township_review_date", "announce_start", False),
    ]
    table = _check(households, "household_id", HOUSEHOLD_DATES, order, notice_days, announce_days)
    if "household_acknowledged" not in households.columns:
        raise RequestError("procedure check: registry table lacks column household_acknowledged")
    acknowledged = households["household_acknowledged"].astype("boolean").fillna(False)
    table["acknowledgement_missing"] = ~acknowledged.to_numpy(dtype=bool)
    table.insert(1, "village_id", households["village_id"].to_numpy())
    return ProcedureCheck("household", _finish(table))


def village_procedure(
    villages: pd.DataFrame, notice_days: int = 7, announce_days: int = 5
) -> ProcedureCheck:
    """Check each exited village's notice and announcement (notice end < announcement start)."""
    order = [("notice_end", "announce_start", True)]
    table = _check(villages, "village_id", VILLAGE_DATES, order, notice_days, announce_days)
    return ProcedureCheck("village", _finish(table))
