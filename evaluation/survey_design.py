"""Design-based estimation (基于抽样设计的估计) by Taylor linearisation, matching R's ``survey``.

``SurveyDesign`` mirrors R's ``svydesign(ids=~psu+ssu, strata=, weights=, fpc=)`` with
``svymean``, ``svytotal``, ``svyratio``, ``svyciprop`` and ``svyby``. The variance is R's
``svyrecvar``: per stratum, f·n/(n−1)·Σ(PSU total − stratum mean)², f = (N−n)/N, plus — when a
second-stage population count is given — the within-PSU term of each PSU times n/N. Rules per row:

- ``fpc`` stage 1 NaN or inf: that stratum is with replacement (ultimate cluster; later stages
  ignored), as R does for an infinite fpc.
- ``fpc`` stage 2 NaN: no second-stage term for that PSU (e.g. certainty strata whose PSU is the
  household); inf: with replacement at stage 2.
- Domains (``subset``, ``by``) are estimated by masking — rows outside contribute zero, every PSU
  of the full design keeps counting — exactly as R's ``subset``/``svyby``; the domain's df is
  PSUs − strata among the domain's rows (R's ``degf`` of the subset design).
- ``na_rm=True`` moves rows with a missing analysis variable out of the domain, so ``n`` and df
  count the analysed rows (R's ``svyciprop`` takes them before removing missing values).
- Lonely PSUs (one sampled PSU in a stratum, not fully enumerated) follow ``lonely_psu`` like R's
  ``options(survey.lonely.psu=)``: ``"fail"`` raises, ``"certainty"`` contributes zero,
  ``"adjust"`` centres the PSU at the overall mean instead of its stratum mean.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from data_contracts.errors import DesignError
from evaluation.estimates import Estimate
from evaluation.intervals import check_level, check_method, interval

LONELY_PSU = ("fail", "certainty", "adjust")
_CENSUS = 1e-7  # R: a stratum with sampling fraction this close to 1 contributes no variance


def _show(value: object) -> str:
    """A table value for a message: strings quoted, numbers plain."""
    return repr(value) if isinstance(value, str) else str(value)


def _indicator(codes: NDArray[np.int64], n_groups: int) -> sparse.csr_array:
    """Sparse (groups × units) 0/1 matrix: ``matrix @ values`` sums values by group."""
    n = len(codes)
    return sparse.csr_array((np.ones(n), (codes, np.arange(n))), shape=(n_groups, n))


def _first_per_group(codes: NDArray[np.int64], values: NDArray, n_groups: int) -> NDArray:
    """Value at the first row of each group (codes are 0..n_groups−1)."""
    first = np.full(n_groups, -1)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return values[first]


def _between_unit_variance(
    unit_totals: NDArray[np.float64],
    to_group: sparse.csr_array,
    group_of_unit: NDArray[np.int64],
    n_units: NDArray[np.float64],
    fraction: NDArray[np.float64],
    lonely_psu: str,
) -> NDArray[np.float64]:
    """R's ``onestrat`` for every group at once: (groups × columns) variance contributions."""
    means = (to_group @ unit_totals) / n_units[:, None]
    squares = to_group @ (unit_totals - means[group_of_unit]) ** 2
    lonely = n_units == 1
    if lonely_psu == "adjust":  # centre the lonely unit at zero, i.e. the overall mean
        squares = np.where(lonely[:, None], to_group @ unit_totals**2, squares)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, fraction, fraction * n_units / (n_units - 1))
    scale = np.where(fraction < _CENSUS, 0.0, scale)
    return scale[:, None] * squares


class SurveyDesign:
    """A complex survey design (调查设计): strata, two-stage clusters, weights and fpc.

    Parameters mirror R's ``svydesign``: ``strata`` (column; omitted = one stratum), ``psu``
    (first-stage cluster; omitted = each row), ``ssu`` (second-stage unit within the PSU),
    ``weights`` (omitted = derived from ``fpc`` as N₁/n₁·N₂/n₂), ``fpc`` population counts (a column
    name, or a pair for two stages; omitted = with replacement), ``lonely_psu`` in
    ``"fail" | "certainty" | "adjust"``.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        strata: str | None = None,
        psu: str | None = None,
        ssu: str | None = None,
        weights: str | None = None,
        fpc: str | Sequence[str] | None = None,
        lonely_psu: str = "fail",
    ) -> None:
        if lonely_psu not in LONELY_PSU:
            raise ValueError(
                f"lonely_psu must be one of {', '.join(LONELY_PSU)}, got {lonely_psu!r}"
            )
        fpc_columns = self._fpc_columns(fpc, ssu)
        for role, column in [("strata", strata), ("psu", psu), ("ssu", ssu), ("weights", weights)]:
            self._check_column(data, column, role, allow_missing=False)
        for column in fpc_columns:
            self._check_column(data, column, "fpc", allow_missing=True)
        if len(data) == 0:
            raise DesignError("cannot build a survey design on an empty table")
        if ssu is not None and psu is None:
            raise ValueError("ssu (second-stage unit) needs psu (the first-stage cluster) too")
        if weights is None and not fpc_columns:
            raise ValueError(
                "give weights= (a column of sampling weights) or fpc= (population counts)"
            )

        self.data = data
        self.lonely_psu = lonely_psu
        self.columns = {"strata": strata, "psu": psu, "ssu": ssu, "weights": weights, "fpc": fpc}
        self._domain = np.ones(len(data), dtype=bool)
        pop1 = self._setup_stage1(data, strata, psu, fpc_columns[:1])
        self._stage2 = (
            self._setup_stage2(data, psu, ssu, fpc_columns[1], pop1)
            if ssu is not None and len(fpc_columns) == 2
            else None
        )
        self._check_lonely(data, strata, psu)
        self._weights = self._make_weights(data, weights, fpc_columns, pop1)

    def _setup_stage1(
        self, data: pd.DataFrame, strata: str | None, psu: str | None, fpc: tuple[str, ...]
    ) -> NDArray[np.float64]:
        """Codes of strata and PSUs (PSUs nested in strata, as R's check.strata); returns N_h."""
        n = len(data)
        stratum = np.zeros(n, np.int64) if strata is None else pd.factorize(data[strata])[0]
        unit = np.arange(n) if psu is None else pd.factorize(data[psu])[0]
        span = pd.Series(stratum).groupby(unit).agg(["min", "max"])
        crossing = (span["min"] != span["max"]).to_numpy()
        if crossing.any():
            where = self._group_label(data, psu, unit, int(np.flatnonzero(crossing)[0]))
            raise DesignError(
                f"PSU{where} of column {psu!r} appears in more than one stratum; "
                "PSU ids must be nested in strata"
            )
        self._stratum, self._psu = stratum, unit
        self._psu_stratum = span["min"].to_numpy()
        n_strata, n_psu = int(stratum.max()) + 1, int(unit.max()) + 1
        self._rows_to_psu = _indicator(unit, n_psu)
        self._psu_to_stratum = _indicator(self._psu_stratum, n_strata)
        self._n_h = np.bincount(self._psu_stratum, minlength=n_strata).astype(float)
        if not fpc:
            pop1 = np.full(n_strata, np.inf)
        else:
            pop1 = self._population(data, fpc[0], stratum, n_strata, "stratum", strata)
            self._check_population(
                data, pop1, self._n_h, fpc[0], ("stratum", strata, stratum), "PSUs"
            )
        with np.errstate(invalid="ignore"):
            self._fraction1 = np.where(np.isfinite(pop1), (pop1 - self._n_h) / pop1, 1.0)
        return pop1

    def _setup_stage2(
        self, data: pd.DataFrame, psu: str, ssu: str, fpc: str, pop1: NDArray[np.float64]
    ) -> dict[str, NDArray]:
        """Second-stage units within PSUs; the within-PSU term counts n_h/N_h where N_h is known."""
        pairs = pd.DataFrame({"p": self._psu, "s": data[ssu].to_numpy()})
        ssu_code = pairs.groupby(["p", "s"], sort=False).ngroup().to_numpy()
        n_ssu, n_psu = int(ssu_code.max()) + 1, len(self._psu_stratum)
        ssu_psu = _first_per_group(ssu_code, self._psu, n_ssu)
        n2 = np.bincount(ssu_psu, minlength=n_psu).astype(float)
        pop2 = self._population(data, fpc, self._psu, n_psu, "PSU", psu)
        self._check_population(data, pop2, n2, fpc, ("PSU", psu, self._psu), "second-stage units")
        pop1_psu = pop1[self._psu_stratum]
        known = np.isfinite(pop1_psu) & ~np.isnan(pop2)
        return {
            "rows_to_ssu": _indicator(ssu_code, n_ssu),
            "ssu_to_psu": _indicator(ssu_psu, n_psu),
            "ssu_psu": ssu_psu,
            "n2": n2,
            "pop2": pop2,
            "fraction2": np.where(np.isfinite(pop2), (pop2 - n2) / pop2, 1.0),
            "factor": np.where(known, self._n_h[self._psu_stratum] / pop1_psu, 0.0),
        }

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _fpc_columns(fpc: str | Sequence[str] | None, ssu: str | None) -> tuple[str, ...]:
        if fpc is None:
            return ()
        columns = (fpc,) if isinstance(fpc, str) else tuple(fpc)
        if not 1 <= len(columns) <= 2:
            raise TypeError(
                f"fpc must be one column name or a pair (stage 1, stage 2), got {fpc!r}"
            )
        if len(columns) == 2 and ssu is None:
            raise ValueError("a second-stage fpc needs ssu= (the second-stage unit column)")
        return columns

    @staticmethod
    def _check_column(
        data: pd.DataFrame, column: str | None, role: str, allow_missing: bool
    ) -> None:
        """ValueError unless ``column`` (for ``role``) exists; DesignError for gaps if required."""
        if column is None:
            return
        if column not in data.columns:
            known = ", ".join(map(str, data.columns))
            raise ValueError(f"{role} column {column!r} is not in the table (columns: {known})")
        missing = data[column].isna().to_numpy()
        if not allow_missing and missing.any():
            raise DesignError(
                f"{role} column {column!r} has {int(missing.sum())} missing value(s), "
                f"first at row {_show(data.index[missing.argmax()])}"
            )

    @staticmethod
    def _group_label(data: pd.DataFrame, column: str | None, codes: NDArray, code: int) -> str:
        """Readable name of group ``code``: its value in ``column`` and its first row."""
        row = int(np.flatnonzero(codes == code)[0])
        name = "" if column is None else f" {_show(data[column].iloc[row])}"
        return f"{name} (row {_show(data.index[row])})"

    def _population(
        self,
        data: pd.DataFrame,
        column: str,
        group: NDArray[np.int64],
        n_groups: int,
        group_name: str,
        group_column: str | None,
    ) -> NDArray[np.float64]:
        """Population count of each group from ``column``; it must be constant within a group."""
        try:
            values = pd.to_numeric(data[column]).to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise DesignError(f"fpc column {column!r} must hold population counts") from err
        varies = (pd.Series(values).groupby(group).nunique(dropna=False) > 1).to_numpy()
        if varies.any():
            where = self._group_label(data, group_column, group, int(np.flatnonzero(varies)[0]))
            raise DesignError(
                f"fpc column {column!r} varies within {group_name}{where}; "
                f"it must be the population count of that {group_name}"
            )
        return _first_per_group(group, values, n_groups)

    def _check_population(
        self,
        data: pd.DataFrame,
        population: NDArray[np.float64],
        sampled: NDArray[np.float64],
        column: str,
        group: tuple[str, str | None, NDArray],
        unit: str,
    ) -> None:
        """DesignError where a population count is below the number sampled (R's '>100%')."""
        too_small = np.isfinite(population) & (population < sampled)
        if too_small.any():
            i = int(np.flatnonzero(too_small)[0])
            where = self._group_label(data, group[1], group[2], i)
            raise DesignError(
                f"fpc column {column!r}: {group[0]}{where} has population count "
                f"{population[i]:g} but {sampled[i]:g} sampled {unit} "
                "(fpc must be population counts, not sampling fractions)"
            )

    def _check_lonely(self, data: pd.DataFrame, strata: str | None, psu: str | None) -> None:
        """With lonely_psu="fail", DesignError for a stratum (or PSU) with one sampled unit."""
        if self.lonely_psu != "fail":
            return
        advice = "choose lonely_psu='certainty' or 'adjust', or merge strata"
        lonely = (self._n_h == 1) & (self._fraction1 >= _CENSUS)
        if lonely.any():
            where = self._group_label(data, strata, self._stratum, int(np.flatnonzero(lonely)[0]))
            raise DesignError(f"stratum{where} has only one PSU; {advice}")
        if self._stage2 is not None:
            s2 = self._stage2
            lonely2 = (s2["n2"] == 1) & (s2["fraction2"] >= _CENSUS) & (s2["factor"] > 0)
            if lonely2.any():
                where = self._group_label(data, psu, self._psu, int(np.flatnonzero(lonely2)[0]))
                raise DesignError(f"PSU{where} has only one sampled second-stage unit; {advice}")

    def _make_weights(
        self,
        data: pd.DataFrame,
        weights: str | None,
        fpc_columns: tuple[str, ...],
        pop1: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Given weights (checked positive), or N₁/n₁ · N₂/n₂ from the population counts as R."""
        if weights is not None:
            try:
                w = pd.to_numeric(data[weights]).to_numpy(dtype=float)
            except (TypeError, ValueError) as err:
                raise DesignError(f"weights column {weights!r} must be numeric") from err
            bad = ~np.isfinite(w) | (w <= 0)
            if bad.any():
                raise DesignError(
                    f"weights column {weights!r} must be positive and finite; row "
                    f"{_show(data.index[bad.argmax()])} has {w[bad.argmax()]}"
                )
            return w
        if not np.isfinite(pop1).all():
            raise DesignError(
                f"weights cannot be derived: fpc column {fpc_columns[0]!r} has missing or infinite "
                "values; pass weights="
            )
        w = (pop1 / self._n_h)[self._stratum]
        if self._stage2 is not None:
            s2 = self._stage2
            if not np.isfinite(s2["pop2"]).all():
                raise DesignError(
                    f"weights cannot be derived: fpc column {fpc_columns[1]!r} has missing or "
                    "infinite values; pass weights="
                )
            w = w * (s2["pop2"] / s2["n2"])[self._psu]
        return w

    # ------------------------------------------------------------------ variance machinery
    def _variance(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Taylor-linearisation variance of the totals of the columns of z (rows × columns)."""
        psu_totals = self._rows_to_psu @ z
        stage1 = _between_unit_variance(
            psu_totals,
            self._psu_to_stratum,
            self._psu_stratum,
            self._n_h,
            self._fraction1,
            self.lonely_psu,
        )
        variance = stage1.sum(axis=0)
        if self._stage2 is not None:
            s2 = self._stage2
            within = _between_unit_variance(
                s2["rows_to_ssu"] @ z,
                s2["ssu_to_psu"],
                s2["ssu_psu"],
                s2["n2"],
                s2["fraction2"],
                self.lonely_psu,
            )
            variance = variance + (s2["factor"][:, None] * within).sum(axis=0)
        return variance

    def _degf(self, masks: NDArray[np.bool_]) -> NDArray[np.float64]:
        """R's ``degf``: PSUs − strata among the rows of each domain."""
        psu_in = (self._rows_to_psu @ masks.astype(float)) > 0
        strata_in = (self._psu_to_stratum @ psu_in.astype(float)) > 0
        return (psu_in.sum(axis=0) - strata_in.sum(axis=0)).astype(float)

    # ------------------------------------------------------------------ variables and domains
    def _numeric(self, variable: str) -> NDArray[np.float64]:
        """Values of a numeric or boolean column as floats (NaN for missing)."""
        self._check_column(self.data, variable, "analysis variable", allow_missing=True)
        column = self.data[variable]
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind not in ("boolean", "integer", "floating", "mixed-integer-float", "empty"):
            raise DesignError(
                f"variable {variable!r} must be numeric or boolean, got {kind} values"
            )
        return column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    def _domain_rows(
        self,
        masks: NDArray[np.bool_],
        values: Sequence[tuple[str, NDArray[np.float64]]],
        na_rm: bool,
    ) -> NDArray[np.bool_]:
        """Drop rows with a missing variable from the masks (na_rm) or refuse them."""
        for name, v in values:
            missing = (np.isnan(v)[:, None] & masks).any(axis=1)
            if missing.any() and not na_rm:
                raise DesignError(
                    f"variable {name!r} has {int(missing.sum())} missing value(s) in the "
                    f"analysed rows, first at row {_show(self.data.index[missing.argmax()])}; "
                    "pass na_rm=True to leave them out (they become a domain)"
                )
            masks = masks & ~np.isnan(v)[:, None]
        empty = masks.sum(axis=0) == 0
        if empty.any():
            raise DesignError(
                "no rows to estimate from (empty domain after removing missing values)"
            )
        return masks

    def _estimate(
        self,
        statistic: str,
        masks: NDArray[np.bool_],
        y: NDArray[np.float64],
        x: NDArray[np.float64] | None = None,
    ) -> dict[str, NDArray[np.float64]]:
        """Point estimates, SEs, df, n and deff for each domain column of ``masks``."""
        wm = self._weights[:, None] * masks
        yy = np.where(masks, y[:, None], 0.0)
        pop = wm.sum(axis=0)
        nobs = masks.sum(axis=0).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if statistic == "total":
                estimate = (wm * yy).sum(axis=0)
                z = wm * yy
                resid = yy - estimate / pop
                srs_factor = pop**2
            elif statistic == "mean":
                estimate = (wm * yy).sum(axis=0) / pop
                resid = np.where(masks, yy - estimate, 0.0)
                z = wm * resid / pop
                srs_factor = np.ones_like(pop)
            else:  # ratio
                xx = np.where(masks, x[:, None], 0.0)
                denominator = (wm * xx).sum(axis=0)
                estimate = (wm * yy).sum(axis=0) / denominator
                r = np.where(masks, yy - estimate * xx, 0.0) / denominator
                z = wm * r
                resid = np.where(masks, r - (wm * r).sum(axis=0) / pop, 0.0)
                srs_factor = pop**2
            se = np.sqrt(self._variance(z))
            s2 = (wm * resid**2).sum(axis=0) / pop * nobs / (nobs - 1)
            v_srs = s2 * srs_factor * (pop - nobs) / (pop * nobs)
            deff = np.where(pop < nobs, np.nan, se**2 / v_srs)
        return {"estimate": estimate, "se": se, "df": self._degf(masks), "n": nobs, "deff": deff}

    def _run(
        self,
        statistic: str,
        masks: NDArray[np.bool_],
        variable: str,
        denominator: str | None,
        method: str,
        level: float,
        na_rm: bool,
    ) -> dict[str, NDArray[np.float64]]:
        """Validate inputs, estimate for each domain, and add the interval."""
        level = check_level(level)
        y = self._numeric(variable)
        values = [(variable, y)]
        x = None
        if denominator is not None:
            x = self._numeric(denominator)
            values.append((denominator, x))
        masks = self._domain_rows(masks, values, na_rm)
        if statistic == "proportion":
            check_method(method)
            present = y[masks.any(axis=1)]
            if not np.isin(present, (0.0, 1.0)).all():
                odd = present[~np.isin(present, (0.0, 1.0))][0]
                raise DesignError(
                    f"proportion variable {variable!r} must be 0/1 or boolean; found value {odd:g}"
                )
        result = self._estimate("mean" if statistic == "proportion" else statistic, masks, y, x)
        result["ci_low"], result["ci_high"] = interval(
            method, result["estimate"], result["se"], result["df"], level, result["n"]
        )
        return result

    # ------------------------------------------------------------------ public API
    @property
    def n(self) -> int:
        """Number of rows in the design's (domain) sample."""
        return int(self._domain.sum())

    @property
    def df(self) -> float:
        """Design degrees of freedom, PSUs − strata (R's ``degf``)."""
        return float(self._degf(self._domain[:, None])[0])

    @property
    def domain_mask(self) -> NDArray[np.bool_]:
        """Rows inside the current domain (all rows unless ``subset`` narrowed it)."""
        return self._domain.copy()

    @property
    def weights(self) -> NDArray[np.float64]:
        """Sampling weights of all rows (given, or derived from fpc)."""
        return self._weights.copy()

    def subset(self, rows: str | ArrayLike) -> SurveyDesign:
        """Domain design (子总体): rows outside ``rows`` (bool column or mask) count as zero."""
        if isinstance(rows, str):
            if rows not in self.data.columns:
                raise ValueError(f"subset column {rows!r} is not in the table")
            rows = self.data[rows]
        mask = pd.Series(rows).astype("boolean").fillna(False).to_numpy(dtype=bool)
        if mask.shape != self._domain.shape:
            raise ValueError(
                f"subset mask has {mask.size} values; the design has {self._domain.size} rows"
            )
        domain = copy.copy(self)
        domain._domain = self._domain & mask
        if not domain._domain.any():
            raise DesignError("the subset has no rows")
        return domain

    def _single(
        self,
        statistic: str,
        variable: str,
        denominator: str | None,
        method: str,
        level: float,
        na_rm: bool,
    ) -> Estimate:
        r = self._run(statistic, self._domain[:, None], variable, denominator, method, level, na_rm)
        name = variable if denominator is None else f"{variable}/{denominator}"
        return Estimate(
            statistic=statistic,
            variable=name,
            estimate=float(r["estimate"][0]),
            se=float(r["se"][0]),
            df=float(r["df"][0]),
            ci=(float(r["ci_low"][0]), float(r["ci_high"][0])),
            level=float(level),
            method=method,
            deff=float(r["deff"][0]),
            n=int(r["n"][0]),
        )

    def mean(self, variable: str, *, level: float = 0.95, na_rm: bool = False) -> Estimate:
        """Weighted mean (R ``svymean``); CI estimate ± t_df·se."""
        return self._single("mean", variable, None, "t", level, na_rm)

    def total(self, variable: str, *, level: float = 0.95, na_rm: bool = False) -> Estimate:
        """Estimated population total (R ``svytotal``); CI estimate ± t_df·se."""
        return self._single("total", variable, None, "t", level, na_rm)

    def ratio(
        self, numerator: str, denominator: str, *, level: float = 0.95, na_rm: bool = False
    ) -> Estimate:
        """Ratio of totals Σwy / Σwx (R ``svyratio``, linearised); CI estimate ± t_df·se."""
        return self._single("ratio", numerator, denominator, "t", level, na_rm)

    def proportion(
        self, variable: str, *, method: str = "beta", level: float = 0.95, na_rm: bool = False
    ) -> Estimate:
        """Proportion of a 0/1 variable with a ``method`` interval (R ``svyciprop``)."""
        return self._single("proportion", variable, None, method, level, na_rm)

    def by(self, columns: str | Sequence[str]) -> DomainEstimator:
        """Estimates for each domain (value of ``columns``), as R's ``svyby``."""
        return DomainEstimator(self, columns)

    def __repr__(self) -> str:
        c = self.columns
        parts = [f"n={self.n}", f"strata={c['strata'] or 1}", f"psu={c['psu'] or 'rows'}"]
        if c["ssu"]:
            parts.append(f"ssu={c['ssu']}")
        parts += [f"weights={c['weights'] or 'from fpc'}", f"fpc={c['fpc'] or 'with replacement'}"]
        parts += [f"df={self.df:g}", f"lonely_psu={self.lonely_psu!r}"]
        return f"SurveyDesign({', '.join(parts)})"


class DomainEstimator:
    """Domain estimates (分组估计) of a design: each method returns one row per domain."""

    def __init__(self, design: SurveyDesign, columns: str | Sequence[str]) -> None:
        self.columns = [columns] if isinstance(columns, str) else list(columns)
        missing = [c for c in self.columns if c not in design.data.columns]
        if missing:
            raise ValueError(f"domain column(s) {', '.join(map(repr, missing))} not in the table")
        self.design = design
        groups = design.data[self.columns].reset_index(drop=True)
        code = groups.groupby(self.columns, sort=True, dropna=True).ngroup().to_numpy()
        code = np.where(design._domain, code, -1)
        present = np.unique(code[code >= 0])
        if present.size == 0:
            raise DesignError(f"no rows with a value in {', '.join(self.columns)}")
        self._masks = code[:, None] == present[None, :]
        first = self._masks.argmax(axis=0)
        self._labels = groups.iloc[first].reset_index(drop=True)

    def _frame(
        self,
        statistic: str,
        variable: str,
        denominator: str | None,
        method: str,
        level: float,
        na_rm: bool,
    ) -> pd.DataFrame:
        r = self.design._run(statistic, self._masks, variable, denominator, method, level, na_rm)
        out = self._labels.copy()
        for key in ("estimate", "se", "ci_low", "ci_high"):
            out[key] = r[key]
        out["level"] = float(level)
        out["df"] = r["df"]
        out["n"] = r["n"].astype(int)
        out["deff"] = r["deff"]
        out["method"] = method
        return out

    def mean(self, variable: str, *, level: float = 0.95, na_rm: bool = False) -> pd.DataFrame:
        """Domain means (R ``svyby(..., svymean)``)."""
        return self._frame("mean", variable, None, "t", level, na_rm)

    def total(self, variable: str, *, level: float = 0.95, na_rm: bool = False) -> pd.DataFrame:
        """Domain totals (R ``svyby(..., svytotal)``)."""
        return self._frame("total", variable, None, "t", level, na_rm)

    def ratio(
        self, numerator: str, denominator: str, *, level: float = 0.95, na_rm: bool = False
    ) -> pd.DataFrame:
        """Domain ratios (R ``svyby(..., svyratio)``)."""
        return self._frame("ratio", numerator, denominator, "t", level, na_rm)

    def proportion(
        self, variable: str, *, method: str = "beta", level: float = 0.95, na_rm: bool = False
    ) -> pd.DataFrame:
        """Domain proportions with ``method`` intervals (R ``svyby(..., svyciprop)``)."""
        return self._frame("proportion", variable, None, method, level, na_rm)

    def __repr__(self) -> str:
        domains = self._masks.shape[1]
        return f"DomainEstimator(by={self.columns}, domains={domains}, design={self.design!r})"
