"""Field-survey simulator (入户核查模拟): survey returns for any drawn sample of the demo district.

Each main-sample household (``reserve == False``) is visited once: it is not found, refuses or is
interviewed, with probabilities from its hidden propensities (scaled to the requested district
rates). Every refused / not-found household is replaced by the next reserve of its
``reserve_group`` (by ``reserve_order``) that can be interviewed, giving a ``replacement`` row
naming the household it replaces; reserves that could not be interviewed are skipped and the
replacement row's note says how many. Interviews record the truth with realistic error:
multiplicative log-normal noise on each income component, a small rate of misrecorded
guarantees (两不愁三保障), and the household's own acknowledgement and approval (群众认可度).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from data_contracts.columns import SURVEY, VILLAGE_SURVEY
from data_contracts.demo.frames import canonical_frame
from data_contracts.demo.generator import (
    DEFAULT_NOT_FOUND_RATE,
    DEFAULT_REFUSAL_RATE,
    GUARANTEES,
    DemoDistrict,
)
from data_contracts.demo.names import person_names
from data_contracts.errors import RequestError

DEFAULT_SAMPLE_DATE = "2020-06-01"
DEFAULT_INCOME_NOISE_SD = 0.10
DEFAULT_MISRECORDING_RATE = 0.001  # per item: 4 guarantees -> about 0.4% falsely flagged
SAMPLE_COLUMNS = ("household_id", "reserve", "reserve_order", "reserve_group")
COMPONENTS = ("wage_income", "business_income", "property_income", "transfer_income")
INFRASTRUCTURE = ("roads", "drinking_water", "electricity", "clinic", "school_access")
_ENUMERATORS = 8
_FAILURE_NOTES = {
    "refused": ("户主拒绝接受调查", "以农忙为由拒访"),
    "not_found": ("全家外出务工，三次上门未遇", "房屋空置，联系电话无法接通"),
}


def simulate_survey(
    sample: pd.DataFrame,
    truth: DemoDistrict | pd.DataFrame,
    seed: int,
    *,
    refusal_rate: float = DEFAULT_REFUSAL_RATE,
    not_found_rate: float = DEFAULT_NOT_FOUND_RATE,
    income_noise_sd: float = DEFAULT_INCOME_NOISE_SD,
    misrecording_rate: float = DEFAULT_MISRECORDING_RATE,
    sample_date: str = DEFAULT_SAMPLE_DATE,
) -> pd.DataFrame:
    """Survey returns (survey contract, canonical columns) for ``sample``.

    ``sample`` needs ``household_id, reserve, reserve_order, reserve_group`` (the sample table);
    ``truth`` is the ``DemoDistrict`` or its ``truth_households``. Rows come in sample order,
    each replacement right after the row it replaces; visits fall 3-32 days after
    ``sample_date``.
    """
    _check_rates(refusal_rate, not_found_rate, income_noise_sd, misrecording_rate)
    table = truth.truth_households if isinstance(truth, DemoDistrict) else truth
    units = _sample_units(sample, table)
    rng = np.random.default_rng(seed)
    t = table.set_index("household_id").loc[units["household_id"]].reset_index()

    p_nf = np.clip(t["p_not_found"].to_numpy() * not_found_rate / DEFAULT_NOT_FOUND_RATE, 0, 1)
    p_ref = np.clip(t["p_refuse"].to_numpy() * refusal_rate / DEFAULT_REFUSAL_RATE, 0, 1 - p_nf)
    u = rng.random(len(units))
    units["outcome"] = np.where(
        u < p_nf, "not_found", np.where(u < p_nf + p_ref, "refused", "completed")
    )
    pairs = _replacements(units)

    main = units.loc[~units["reserve"]]
    visits = pd.concat(
        [
            pd.DataFrame(
                {
                    "row": main.index,
                    "order": main["position"].to_numpy() * 2,
                    "visit_status": main["outcome"].to_numpy(),
                    "replaces_household_id": None,
                    "skipped": 0,
                }
            ),
            pd.DataFrame(
                {
                    "row": pairs["row_reserve"].to_numpy(),
                    "order": pairs["position_failed"].to_numpy() * 2 + 1,
                    "visit_status": "replacement",
                    "replaces_household_id": pairs["household_id_failed"].to_numpy(),
                    "skipped": pairs["skipped"].to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    ).sort_values("order", ignore_index=True)
    return _survey_rows(rng, visits, t, income_noise_sd, misrecording_rate, sample_date)


def _check_rates(refusal: float, not_found: float, noise: float, misrecording: float) -> None:
    """Reject impossible simulator settings with a clear message."""
    for name, value in (
        ("refusal_rate", refusal),
        ("not_found_rate", not_found),
        ("misrecording_rate", misrecording),
    ):
        if not 0 <= value <= 1:
            raise RequestError(f"{name} must be between 0 and 1, got {value!r}.")
    if refusal + not_found >= 1:
        raise RequestError(
            "refusal_rate + not_found_rate must be below 1: nobody would be surveyed."
        )
    if noise < 0:
        raise RequestError(f"income_noise_sd must be >= 0, got {noise!r}.")


def _sample_units(sample: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The sample's household, reserve flag, order and group, checked against the truth."""
    missing = [c for c in SAMPLE_COLUMNS if c not in sample.columns]
    if missing:
        raise RequestError(
            f"the sample lacks column(s) {', '.join(missing)}; expected the sample table columns "
            f"{', '.join(SAMPLE_COLUMNS)}."
        )
    units = sample.loc[:, list(SAMPLE_COLUMNS)].reset_index(drop=True)
    units["household_id"] = units["household_id"].astype("str")
    units["reserve"] = units["reserve"].astype("boolean").fillna(False).astype(bool)
    units["reserve_group"] = units["reserve_group"].astype("str")
    units["position"] = np.arange(len(units))
    duplicated = units["household_id"][units["household_id"].duplicated()]
    if len(duplicated):
        raise RequestError(
            f"{len(duplicated)} household_id(s) appear more than once in the sample "
            f"(first: {', '.join(duplicated.iloc[:5])})."
        )
    unknown = units["household_id"][~units["household_id"].isin(truth["household_id"])]
    if len(unknown):
        raise RequestError(
            f"{len(unknown)} sampled household(s) are not in the demo district "
            f"(first: {', '.join(unknown.iloc[:5])}); simulate only samples of the demo district."
        )
    return units


def _replacements(units: pd.DataFrame) -> pd.DataFrame:
    """Pair the k-th failed main unit of each group with the k-th usable reserve of that group.

    ``skipped`` counts the reserves passed over (refused / not found) since the previous
    replacement of the group.
    """
    failed = units.loc[~units["reserve"] & (units["outcome"] != "completed")]
    failed = failed.assign(k=failed.groupby("reserve_group").cumcount())
    reserves = units.loc[units["reserve"]].sort_values(["reserve_group", "reserve_order"])
    reserves = reserves.assign(place=reserves.groupby("reserve_group").cumcount())
    usable = reserves.loc[reserves["outcome"] == "completed"]
    usable = usable.assign(k=usable.groupby("reserve_group").cumcount())
    passed = usable["place"] - usable["k"]
    usable = usable.assign(
        skipped=passed - passed.groupby(usable["reserve_group"]).shift(1, fill_value=0)
    )
    pairs = failed.reset_index(names="row").merge(
        usable.reset_index(names="row"),
        on=["reserve_group", "k"],
        suffixes=("_failed", "_reserve"),
    )
    return pairs


def _survey_rows(
    rng: np.random.Generator,
    visits: pd.DataFrame,
    t: pd.DataFrame,
    noise_sd: float,
    misrecording: float,
    sample_date: str,
) -> pd.DataFrame:
    """Fill each visit with what the enumerator records."""
    n = len(visits)
    v = t.iloc[visits["row"].to_numpy()].reset_index(drop=True)
    status = visits["visit_status"].to_numpy()
    interviewed = np.isin(status, ("completed", "replacement"))
    size = v["true_household_size"].to_numpy()

    factor = np.exp(rng.normal(0.0, noise_sd, n))
    components = {
        f"surveyed_{c}": np.round(
            v[f"true_{c}"].to_numpy() * factor * np.exp(rng.normal(0.0, noise_sd / 2, (n,)))
        )
        for c in COMPONENTS
    }
    per_capita = np.round(sum(components.values()) / size, 2)
    verified = {
        f"verified_{g}_secure": v[f"true_{g}_secure"].to_numpy() ^ (rng.random(n) < misrecording)
        for g in GUARANTEES
    }

    villages, village = np.unique(v["village_id"].to_numpy(), return_inverse=True)
    team = rng.integers(0, _ENUMERATORS, (len(villages), 2))[village, rng.integers(0, 2, n)]
    enumerators = person_names(rng, rng.random(_ENUMERATORS) < 0.6).to_numpy()
    village_day = rng.integers(3, 31, len(villages))[village] + rng.integers(0, 3, n)
    date = np.datetime64(sample_date, "D") + village_day.astype("timedelta64[D]")
    replaced_date = pd.Series(date).groupby(visits["order"].to_numpy() // 2).transform("first")
    date = np.where(
        status == "replacement", np.maximum(date, replaced_date + pd.Timedelta(days=1)), date
    )

    note_choice = rng.integers(0, 2, n)
    notes = np.select(
        [status == "refused", status == "not_found", visits["skipped"].to_numpy() > 0],
        [
            np.array(_FAILURE_NOTES["refused"])[note_choice],
            np.array(_FAILURE_NOTES["not_found"])[note_choice],
            np.char.add(
                np.char.add("顺延：跳过", visits["skipped"].to_numpy().astype(str)),
                "户无法访问的备用户",
            ),
        ],
        default="",
    )

    def asked(values: np.ndarray) -> pd.Series:
        """Values only where an interview took place."""
        return pd.Series(values).where(interviewed)

    return canonical_frame(
        {
            "household_id": v["household_id"],
            "visit_status": status,
            "replaces_household_id": visits["replaces_household_id"],
            "surveyed_household_size": asked(size),
            "surveyed_income_per_capita": asked(per_capita),
            **{k: asked(x) for k, x in components.items()},
            **{k: asked(x) for k, x in verified.items()},
            "acknowledges_exit": asked(v["would_acknowledge"].to_numpy()),
            "approves_result": asked(v["would_approve"].to_numpy()),
            "knew_of_notice": asked(v["would_know_of_notice"].to_numpy()),
            "enumerator": enumerators[team],
            "survey_date": date,
            "notes": pd.Series(notes).replace("", None),
        },
        SURVEY,
    )


def simulate_village_survey(
    village_ids: Iterable[str],
    truth: DemoDistrict | pd.DataFrame,
    seed: int,
    *,
    misrecording_rate: float = DEFAULT_MISRECORDING_RATE,
) -> pd.DataFrame:
    """Village-survey returns (village-survey contract) for ``village_ids``, from the truth.

    Population and remaining poor persons are recorded as they truly are; each infrastructure
    item is misrecorded with probability ``misrecording_rate``; the note names missing items.
    """
    table = truth.truth_villages if isinstance(truth, DemoDistrict) else truth
    ids = pd.Series(list(village_ids), dtype="str")
    unknown = ids[~ids.isin(table["village_id"])]
    if len(unknown):
        raise RequestError(
            f"{len(unknown)} village id(s) are not in the demo district (first: "
            f"{', '.join(unknown.iloc[:5])})."
        )
    rng = np.random.default_rng(seed)
    v = table.set_index("village_id").loc[ids].reset_index()
    n = len(v)
    verified = {
        f"verified_{item}": v[f"true_{item}"].to_numpy() ^ (rng.random(n) < misrecording_rate)
        for item in INFRASTRUCTURE
    }
    labels = dict(
        zip(
            INFRASTRUCTURE,
            ("未通硬化路", "饮水不安全", "未通电", "无标准化卫生室", "义务教育就学不便"),
            strict=True,
        )
    )
    missing_notes = pd.Series("", index=range(n), dtype="str")
    for item, label in labels.items():  # five items, not a loop over villages
        missing_notes = missing_notes + np.where(verified[f"verified_{item}"], "", label + "；")
    return canonical_frame(
        {
            "village_id": v["village_id"],
            "verified_registered_population": v["true_registered_population"],
            "verified_poor_remaining": v["true_poor_remaining"],
            **verified,
            "assessor_notes": missing_notes.str.rstrip("；").replace("", None),
        },
        VILLAGE_SURVEY,
    )
