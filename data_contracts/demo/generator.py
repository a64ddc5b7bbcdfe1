"""The embedded demo district (示范县): registry exports plus the hidden truth behind them.

A deterministic synthetic district of 12 townships/streets, 250 villages and about 13,500
exited households (脱贫户) whose registry records were exited in 2016-2019. Alongside the
registry tables the generator keeps the truth a perfect field survey would find, and plants
problems a third-party assessment should detect:

* ``inflated_income`` — one township pushed exits through with reported income inflated just
  above the line (数字脱贫): about 10% of its exits are wrong exits (错退), true income below the
  line; wrong exits elsewhere are rare (0.1-0.7% of households) and clustered by village;
* ``key_village_incidence`` — a key village (重点村) declared exited whose true poverty incidence
  (贫困发生率) is above 2% while the registry reports below 2%;
* ``short_notice`` — exit batches whose village public notice (公示) ran less than 7 days,
  concentrated in one township.

Every draw comes from one ``numpy`` Generator seeded by ``seed``; no Python loop runs over
households (loops over the 12 townships do).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.columns import HOUSEHOLDS, VILLAGES
from data_contracts.demo.frames import canonical_frame
from data_contracts.demo.names import COUNTY_CODE, id_numbers, mobile_numbers, person_names
from data_contracts.demo.names import village_names as draw_village_names
from data_contracts.demo.poverty_lines import demo_poverty_lines

DEFAULT_SEED = 20161
COUNTY = "示范县"

# (name, township code in the 12-digit village code, number of villages)
TOWNSHIPS: tuple[tuple[str, str, int], ...] = (
    ("城关街道", "001", 12),
    ("东城街道", "002", 14),
    ("青石镇", "101", 24),
    ("柳河镇", "102", 25),
    ("白马镇", "103", 26),
    ("双河镇", "104", 23),
    ("石桥镇", "105", 22),
    ("河口镇", "106", 24),
    ("龙泉乡", "201", 20),
    ("松林乡", "202", 21),
    ("杨庄乡", "203", 19),
    ("马岭乡", "204", 20),
)
INFLATED_TOWNSHIP = "白马镇"
KEY_VILLAGE_TOWNSHIP = "龙泉乡"
SHORT_NOTICE_TOWNSHIP = "松林乡"

EXIT_YEARS = np.array([2016, 2017, 2018, 2019])
INFLATED_WRONG_EXIT_RATE = 0.10
OTHER_WRONG_EXIT_RATES = (0.001, 0.007)  # uniform range of the other townships' true rates
GUARANTEES = ("food_clothing", "education", "medical", "housing")
DEFAULT_NOT_FOUND_RATE = 0.04
DEFAULT_REFUSAL_RATE = 0.03


@dataclass(frozen=True, repr=False)
class DemoDistrict:
    """Registry tables of the demo district, the hidden truth, and the planted problems.

    ``households``, ``villages`` and ``poverty_lines`` are canonical contract frames (what the
    registry exports say); ``truth_households`` and ``truth_villages`` hold what is really true
    (one row per household / village); ``planted`` names each planted problem with its true
    rates.

    ``truth_households``: ``household_id, township, village_id, poverty_line`` (exit year),
    ``true_household_size, true_income_per_capita, true_<component>_income``, the four
    ``true_<guarantee>_secure``, ``is_wrong_exit`` (income below the line or a guarantee unmet),
    ``wrong_exit_reason`` (income / food_clothing / education / medical / housing),
    ``would_approve, would_acknowledge, would_know_of_notice`` and the visit propensities
    ``p_not_found, p_refuse``. ``truth_villages``: ``village_id, township,
    true_registered_population, true_poor_remaining, true_incidence``, the five
    ``true_<infrastructure>`` items, and exited / wrong-exit households and persons.
    """

    seed: int
    households: pd.DataFrame
    villages: pd.DataFrame
    poverty_lines: pd.DataFrame
    truth_households: pd.DataFrame
    truth_villages: pd.DataFrame
    planted: dict[str, dict[str, object]] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Per-township truth: households, persons, true wrong-exit rates, short notices."""
        hh = self.households
        truth = self.truth_households
        notice_days = (hh["notice_end"] - hh["notice_start"]).dt.days
        wrong = truth["is_wrong_exit"].to_numpy()
        persons = truth["true_household_size"].to_numpy()
        frame = pd.DataFrame(
            {
                "township": hh["township"],
                "households": 1,
                "persons": persons,
                "wrong_exit_households": wrong.astype(int),
                "wrong_exit_persons": np.where(wrong, persons, 0),
                "short_notice_households": (notice_days < 7).astype(int),
            }
        )
        out = frame.groupby("township", sort=False).sum()
        out["true_wrong_exit_rate_households"] = out["wrong_exit_households"] / out["households"]
        out["true_wrong_exit_rate_persons"] = out["wrong_exit_persons"] / out["persons"]
        return out

    def __repr__(self) -> str:
        return (
            f"DemoDistrict({COUNTY}, seed={self.seed}: {self.households['township'].nunique()} "
            f"townships, {len(self.villages)} villages, {len(self.households):,} exited "
            f"households; planted: {', '.join(self.planted)})"
        )


def generate_district(seed: int = DEFAULT_SEED) -> DemoDistrict:
    """Generate the demo district deterministically from ``seed`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    lines = demo_poverty_lines()
    villages = _village_layout(rng)
    hh = _household_layout(rng, villages)
    line = lines.set_index("year")["line"].reindex(hh["exit_year"]).to_numpy()
    truth = _truth_outcomes(rng, hh, villages)
    incomes = _incomes(rng, hh, truth, line)
    dates, short_batch = _procedure_dates(rng, hh)
    people = _people(rng, hh)
    attitudes = _attitudes(rng, hh, truth, incomes, short_batch)

    households = canonical_frame(
        {
            "household_id": hh["household_id"],
            "county": np.full(len(hh), COUNTY),
            "township": hh["township"],
            "village_id": hh["village_id"],
            "village": hh["village"],
            **people,
            "household_size": hh["size"],
            "income_per_capita": incomes["reported_per_capita"],
            **incomes["reported_components"],
            "exit_year": hh["exit_year"],
            **{f"{g}_secure": np.ones(len(hh), dtype=bool) for g in GUARANTEES},
            **dates,
            "household_acknowledged": rng.random(len(hh)) >= 0.003,
        },
        HOUSEHOLDS,
    )
    truth_households = pd.DataFrame(
        {
            "household_id": hh["household_id"],
            "township": hh["township"],
            "village_id": hh["village_id"],
            "poverty_line": line,
            "true_household_size": truth["true_size"],
            "true_income_per_capita": incomes["true_per_capita"],
            **{f"true_{k}": v for k, v in incomes["true_components"].items()},
            **{f"true_{g}_secure": truth["secure"][g] for g in GUARANTEES},
            "is_wrong_exit": truth["wrong"],
            "wrong_exit_reason": pd.Series(truth["reason"], dtype="str"),
            **attitudes,
        }
    )
    village_table, truth_villages, key_village = _village_registry(rng, villages, truth_households)
    planted = _planted_summary(
        households, truth_households, village_table.iloc[key_village], truth_villages
    )
    return DemoDistrict(
        seed=seed,
        households=households,
        villages=village_table,
        poverty_lines=lines,
        truth_households=truth_households,
        truth_villages=truth_villages,
        planted=planted,
    )


def _village_layout(rng: np.random.Generator) -> pd.DataFrame:
    """Villages with township, code, name, key flag, population and exited-household count."""
    counts = np.array([t[2] for t in TOWNSHIPS])
    t_idx = np.repeat(np.arange(len(TOWNSHIPS)), counts)
    n = len(t_idx)
    serial = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    township_code = np.array([t[1] for t in TOWNSHIPS])[t_idx]
    street = np.char.endswith(np.array([t[0] for t in TOWNSHIPS])[t_idx], "街道")
    village_id = pd.Series(np.char.add(COUNTY_CODE, township_code), dtype="str") + pd.Series(
        200 + serial
    ).astype("str")
    key = rng.random(n) < np.where(street, 0.15, 0.38)
    population = np.clip(rng.lognormal(np.log(1500), 0.45, n), 400, 5000).round().astype(int)
    mean_households = np.where(key, 75.0, 34.0) * population / 1500
    households = np.maximum(rng.poisson(mean_households * rng.gamma(4.0, 0.25, n)), 5)
    return pd.DataFrame(
        {
            "township_index": t_idx,
            "township": np.array([t[0] for t in TOWNSHIPS])[t_idx],
            "village_id": village_id,
            "village": draw_village_names(rng, n),
            "key_village": key,
            "registered_population": population,
            "n_households": households,
            "wrong_exit_weight": rng.gamma(0.7, 1.0, n),  # clustering of wrong exits by village
        }
    )


def _household_layout(rng: np.random.Generator, villages: pd.DataFrame) -> pd.DataFrame:
    """One row per exited household: ids, village, township, exit year, registered size."""
    counts = villages["n_households"].to_numpy()
    v = np.repeat(np.arange(len(villages)), counts)
    serial = np.arange(len(v)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    village_id = villages["village_id"].to_numpy()[v]
    return pd.DataFrame(
        {
            "v": v,
            "township_index": villages["township_index"].to_numpy()[v],
            "township": villages["township"].to_numpy()[v],
            "village_id": village_id,
            "village": villages["village"].to_numpy()[v],
            "household_id": pd.Series(village_id, dtype="str")
            + pd.Series(serial).astype("str").str.zfill(4),
            "exit_year": rng.choice(EXIT_YEARS, len(v), p=[0.34, 0.30, 0.22, 0.14]),
            "size": rng.choice(
                np.arange(1, 8), len(v), p=[0.17, 0.25, 0.2, 0.18, 0.11, 0.06, 0.03]
            ),
        }
    )


def _township_rates(rng: np.random.Generator) -> np.ndarray:
    """True household wrong-exit rate per township (the inflated township's is planted)."""
    rates = rng.uniform(*OTHER_WRONG_EXIT_RATES, len(TOWNSHIPS))
    rates[[t[0] for t in TOWNSHIPS].index(INFLATED_TOWNSHIP)] = INFLATED_WRONG_EXIT_RATE
    return rates


def _truth_outcomes(
    rng: np.random.Generator, hh: pd.DataFrame, villages: pd.DataFrame
) -> dict[str, object]:
    """Which households are wrong exits, why, their true size and true guarantees."""
    n = len(hh)
    t_idx = hh["township_index"].to_numpy()
    weight = villages["wrong_exit_weight"].to_numpy()[hh["v"].to_numpy()]
    wrong = np.zeros(n, dtype=bool)
    for t, rate in enumerate(_township_rates(rng)):
        members = np.flatnonzero(t_idx == t)
        k = round(rate * len(members))
        p = weight[members] / weight[members].sum()
        wrong[rng.choice(members, k, replace=False, p=p)] = True
    inflated = hh["township"].to_numpy() == INFLATED_TOWNSHIP
    income_wrong = wrong & (rng.random(n) < np.where(inflated, 0.9, 0.5))
    failed = rng.choice(len(GUARANTEES), n, p=[0.1, 0.2, 0.25, 0.45])
    size = hh["size"].to_numpy()
    failed = np.where((failed == 1) & (size < 3), 3, failed)  # no school-age child: housing
    guarantee_wrong = wrong & ~income_wrong
    secure = {g: ~(guarantee_wrong & (failed == j)) for j, g in enumerate(GUARANTEES)}
    reason = np.where(income_wrong, "income", np.array(GUARANTEES)[failed])
    size_delta = rng.choice([-1, 0, 1], n, p=[0.015, 0.97, 0.015])
    return {
        "wrong": wrong,
        "income_wrong": income_wrong,
        "inflated": inflated,
        "secure": secure,
        "reason": np.where(wrong, reason, None),
        "true_size": np.maximum(size + size_delta, 1),
    }


def _component_shares(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Income shares (wage, business, property, transfer): elderly households live on transfers."""
    alphas = np.array([[0.6, 0.8, 0.1, 2.2], [1.0, 1.2, 0.15, 1.5], [2.5, 1.5, 0.15, 0.7]])
    draws = rng.gamma(alphas[np.minimum(size, 3) - 1])
    return draws / draws.sum(axis=1, keepdims=True)


def _split(total: np.ndarray, shares: np.ndarray) -> dict[str, np.ndarray]:
    """Household income components (whole yuan) from a total and shares."""
    parts = np.round(total[:, None] * shares)
    names = ("wage_income", "business_income", "property_income", "transfer_income")
    return {name: parts[:, j] for j, name in enumerate(names)}


def _incomes(
    rng: np.random.Generator, hh: pd.DataFrame, truth: dict, line: np.ndarray
) -> dict[str, object]:
    """True and reported incomes relative to the exit year's line.

    Correct exits have true income ``line * (1 + lognormal)`` (median about 1.8 lines, higher for
    working-age households); income wrong exits have 0.70-0.98 lines. Reported income is the
    truth with a small registry error, never below 1.01 lines (the registry only exits households
    recorded above the line); inflated wrong exits report 1.003-1.06 lines, wrong exits elsewhere
    1.05-1.35 lines.
    """
    n = len(hh)
    size = hh["size"].to_numpy()
    size_factor = np.array([0.75, 0.9, 1.1, 1.1, 1.05, 0.95, 0.9])[size - 1]
    ok_ratio = 1 + rng.lognormal(np.log(0.8), 0.45, n) * size_factor
    true_ratio = np.where(truth["income_wrong"], rng.uniform(0.70, 0.98, n), ok_ratio)
    reported_ratio = true_ratio * np.exp(rng.normal(0.02, 0.05, n))
    reported_ratio = np.where(
        truth["income_wrong"],
        np.where(truth["inflated"], rng.uniform(1.003, 1.06, n), rng.uniform(1.05, 1.35, n)),
        np.maximum(reported_ratio, 1.01),
    )
    shares = _component_shares(rng, size)
    true_components = _split(true_ratio * line * truth["true_size"], shares)
    reported_components = _split(reported_ratio * line * size, shares)
    return {
        "true_components": true_components,
        "true_per_capita": np.round(sum(true_components.values()) / truth["true_size"], 2),
        "reported_components": reported_components,
        "reported_per_capita": np.round(sum(reported_components.values()) / size, 2),
    }


def _procedure_dates(
    rng: np.random.Generator, hh: pd.DataFrame
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Exit procedure dates per (village, exit year) batch, and which households had a short notice.

    Appraisal (民主评议) in September-November, notice (公示) 7-9 days after its start, township
    review, announcement (公告) of 5-7 days. Planted: 35% of the short-notice township's batches
    and 3 batches elsewhere posted the notice for only 2-5 days.
    """
    batch_key = hh["v"].to_numpy() * 10 + (hh["exit_year"].to_numpy() - 2016)
    keys, batch = np.unique(batch_key, return_inverse=True)
    nb = len(keys)
    year = 2016 + keys % 10
    first_township = hh.groupby(batch)["township"].first().to_numpy()
    short = (first_township == SHORT_NOTICE_TOWNSHIP) & (rng.random(nb) < 0.35)
    short[rng.choice(np.flatnonzero(first_township != SHORT_NOTICE_TOWNSHIP), 3, replace=False)] = (
        True
    )

    def days(lo: int, hi: int) -> np.ndarray:
        return rng.integers(lo, hi + 1, nb).astype("timedelta64[D]")

    appraisal = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(
        243, "D"
    )
    appraisal = appraisal + days(0, 70)
    notice_start = appraisal + days(1, 3)
    notice_end = notice_start + np.where(short, days(2, 5), days(7, 9))
    review = notice_end + days(2, 10)
    announce_start = review + days(1, 5)
    announce_end = announce_start + days(5, 7)
    dates = {
        "appraisal_date": appraisal,
        "notice_start": notice_start,
        "notice_end": notice_end,
        "township_review_date": review,
        "announce_start": announce_start,
        "announce_end": announce_end,
    }
    return {k: v[batch] for k, v in dates.items()}, short[batch]


def _people(rng: np.random.Generator, hh: pd.DataFrame) -> dict[str, pd.Series]:
    """Household heads: name, ID number (birth date consistent with age) and phone."""
    n = len(hh)
    size = hh["size"].to_numpy()
    male = rng.random(n) < np.where(size == 1, 0.5, 0.85)
    age = np.where(size <= 2, rng.normal(67, 9, n), rng.normal(49, 10, n)).clip(24, 92).round()
    birth_year = (hh["exit_year"].to_numpy() - age).astype(int)
    birth = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    birth = birth + rng.integers(0, 365, n).astype("timedelta64[D]")
    phone = mobile_numbers(rng, n)
    no_phone = rng.random(n) < np.where(size == 1, 0.2, 0.06)
    return {
        "head_name": person_names(rng, male),
        "head_id_number": id_numbers(rng, birth, male),
        "phone": phone.mask(no_phone),
    }


def _attitudes(
    rng: np.random.Generator,
    hh: pd.DataFrame,
    truth: dict,
    incomes: dict,
    short_notice: np.ndarray,
) -> dict[str, np.ndarray]:
    """What a perfect interview would record, and each household's chance of being reached.

    Approval (群众认可度) about 96%, 90% in the inflated township and 45% among wrong exits;
    knowing of the notice drops to 60% where it ran short. Households living on wages (migrant
    workers) are harder to find; the inflated township refuses more. The propensities average
    ``DEFAULT_NOT_FOUND_RATE`` and ``DEFAULT_REFUSAL_RATE`` over the district.
    """
    n = len(hh)
    wrong, inflated = truth["wrong"], truth["inflated"]
    wage_share = incomes["true_components"]["wage_income"] / np.maximum(
        sum(incomes["true_components"].values()), 1
    )
    not_found = np.where(wage_share > 0.5, 1.6, 0.7)
    refuse = np.where(inflated, 1.6, 1.0) * np.where(wrong, 1.5, 1.0)
    return {
        "would_approve": rng.random(n) < np.where(wrong, 0.45, np.where(inflated, 0.90, 0.965)),
        "would_acknowledge": rng.random(n) < np.where(wrong, 0.55, 0.985),
        "would_know_of_notice": rng.random(n) < np.where(short_notice, 0.60, 0.94),
        "p_not_found": DEFAULT_NOT_FOUND_RATE * not_found / not_found.mean(),
        "p_refuse": DEFAULT_REFUSAL_RATE * refuse / refuse.mean(),
    }


def _village_registry(
    rng: np.random.Generator, villages: pd.DataFrame, truth_households: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The village registry, the village truth, and the row of the planted key village.

    About 65% of key villages are declared exited with a reported incidence of 0.2-1.8%; the
    planted village (the most populous village of the key-village township) reports 1.4% while
    its true incidence is 3.4%, and its clinic (标准化卫生室) does not really exist.
    """
    n = len(villages)
    key = villages["key_village"].to_numpy().copy()
    pop = villages["registered_population"].to_numpy()
    in_township = villages["township"].to_numpy() == KEY_VILLAGE_TOWNSHIP
    planted = int(np.flatnonzero(in_township)[np.argmax(pop[in_township])])
    key[planted] = True
    exited = key & (rng.random(n) < 0.65)
    exited[planted] = True
    exit_year = np.where(exited, rng.choice(EXIT_YEARS, n, p=[0.3, 0.3, 0.25, 0.15]), -1)
    incidence = np.where(
        exited,
        rng.uniform(0.002, 0.018, n),
        np.where(key, rng.uniform(0.025, 0.09, n), rng.uniform(0.0, 0.025, n)),
    )
    incidence[planted] = 0.014
    poor = np.floor(incidence * pop).astype(int)
    true_poor = poor + rng.binomial(pop, 0.0005)
    true_poor = np.where(exited, np.minimum(true_poor, np.floor(0.0195 * pop)), true_poor)
    true_poor[planted] = round(0.034 * pop[planted])

    infra_names = ("roads", "drinking_water", "electricity", "clinic", "school_access")
    p_key = np.array([0.8, 0.85, 1.0, 0.65, 0.9])
    p_other = np.array([0.92, 0.95, 1.0, 0.85, 0.97])
    p = np.where(key[:, None], p_key, p_other)
    reported_infra = (rng.random((n, len(infra_names))) < p) | exited[:, None]
    true_infra = reported_infra.copy()
    true_infra[planted, infra_names.index("clinic")] = False

    collective = np.where(
        exited,
        rng.uniform(30_000, 250_000, n),
        rng.lognormal(np.log(np.where(key, 15_000, 40_000)), 0.85, n),
    )
    year_start = (np.maximum(exit_year, 2016) - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ) + np.timedelta64(334, "D")  # 1 December
    notice_start = year_start + rng.integers(0, 15, n).astype("timedelta64[D]")
    notice_end = notice_start + rng.integers(7, 10, n).astype("timedelta64[D]")
    announce_start = notice_end + rng.integers(5, 16, n).astype("timedelta64[D]")
    announce_end = announce_start + rng.integers(5, 8, n).astype("timedelta64[D]")
    nat = np.datetime64("NaT")
    table = canonical_frame(
        {
            "village_id": villages["village_id"],
            "township": villages["township"],
            "village": villages["village"],
            "key_village": key,
            "registered_population": pop,
            "poor_population_remaining": poor,
            "exited": exited,
            "exit_year": pd.Series(exit_year, dtype="Int64").where(exited),
            "collective_income": np.round(collective, -2),
            **{
                name: np.where(exited, d, nat)
                for name, d in zip(
                    ("notice_start", "notice_end", "announce_start", "announce_end"),
                    (notice_start, notice_end, announce_start, announce_end),
                    strict=True,
                )
            },
            **{name: reported_infra[:, j] for j, name in enumerate(infra_names)},
        },
        VILLAGES,
    )
    th = truth_households.assign(
        wrong_persons=np.where(
            truth_households["is_wrong_exit"], truth_households["true_household_size"], 0
        )
    )
    by_village = th.groupby("village_id").agg(
        exited_households=("household_id", "size"),
        exited_persons=("true_household_size", "sum"),
        wrong_exit_households=("is_wrong_exit", "sum"),
        wrong_exit_persons=("wrong_persons", "sum"),
    )
    truth = pd.DataFrame(
        {
            "village_id": villages["village_id"],
            "township": villages["township"],
            "true_registered_population": pop,
            "true_poor_remaining": true_poor.astype(int),
            "true_incidence": true_poor / pop,
            **{f"true_{name}": true_infra[:, j] for j, name in enumerate(infra_names)},
        }
    ).join(by_village, on="village_id")
    return table, truth, planted


def _planted_summary(
    households: pd.DataFrame,
    truth_households: pd.DataFrame,
    key_village: pd.Series,
    truth_villages: pd.DataFrame,
) -> dict[str, dict[str, object]]:
    """The planted problems with their true rates, as plain JSON-ready values."""
    size = truth_households["true_household_size"]
    wrong = truth_households["is_wrong_exit"]
    township = households["township"]

    def rates(mask: pd.Series) -> dict[str, float]:
        return {
            "true_wrong_exit_rate_households": float(wrong[mask].mean()),
            "true_wrong_exit_rate_persons": float(size[mask & wrong].sum() / size[mask].sum()),
        }

    inflated = township == INFLATED_TOWNSHIP
    short = (households["notice_end"] - households["notice_start"]).dt.days < 7
    in_short = township == SHORT_NOTICE_TOWNSHIP
    others = truth_households.loc[~inflated].groupby("township")["is_wrong_exit"].mean()
    village_truth = truth_villages.set_index("village_id").loc[key_village["village_id"]]
    return {
        "inflated_income": {
            "what": "exits pushed through with reported income inflated just above the line",
            "township": INFLATED_TOWNSHIP,
            "households": int(inflated.sum()),
            "wrong_exit_households": int(wrong[inflated].sum()),
            **rates(inflated),
            "max_true_wrong_exit_rate_other_townships": float(others.max()),
        },
        "key_village_incidence": {
            "what": "key village declared exited whose true poverty incidence is above 2%",
            "township": KEY_VILLAGE_TOWNSHIP,
            "village_id": str(key_village["village_id"]),
            "village": str(key_village["village"]),
            "reported_incidence": float(
                key_village["poor_population_remaining"] / key_village["registered_population"]
            ),
            "true_incidence": float(village_truth["true_incidence"]),
        },
        "short_notice": {
            "what": "households whose village public notice (公示) ran less than 7 days",
            "township": SHORT_NOTICE_TOWNSHIP,
            "households": int((short & in_short).sum()),
            "households_elsewhere": int((short & ~in_short).sum()),
            "share_in_township": float(short[in_short].mean()),
        },
    }
