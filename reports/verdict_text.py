"""The verdict in words (结论说明): which indicators decide it and what would settle it.

Shared by the township report and the terminal (``exitcheck assess`` prints it before the report
is rendered), so it imports no plotting library.
"""

from __future__ import annotations

from data_contracts.messages import label, text
from data_contracts.records import (
    FollowUp,
    Indicator,
    IndicatorRef,
    ResultsRecord,
    VillageResult,
)
from reports.formatting import DASH, level_pct, pct


def _t(key: str, lang: str, **params: object) -> str:
    return text(f"township.{key}", lang, **params)


def indicator_name(ref: Indicator | IndicatorRef, villages: dict[str, str], lang: str) -> str:
    """An indicator's label; a village indicator names its village (by name, not code)."""
    if ref.village_id is not None:
        village = villages.get(ref.village_id, ref.village_id)
        return text("indicator.village_incidence_of", lang, village=village)
    return label("indicator", ref.kind, lang)


def village_verdict(indicator: Indicator | None, village: VillageResult, lang: str) -> str:
    """A village indicator's verdict word; a village not checked (未核查) says why."""
    if indicator is None:
        return DASH
    word = label("verdict", indicator.verdict, lang)
    if village.not_assessable is None:
        return word
    reason = text(f"verdict.not_checked_reason.{village.not_assessable}", lang)
    return text("verdict.not_checked", lang, verdict=word, reason=reason)


def verdict_reason(results: ResultsRecord, lang: str) -> str:
    """Why the township got its verdict, naming the deciding indicators, and what would settle
    an open one (the follow-up advice)."""
    v = results.verdict
    names = {x.village_id: x.village for x in results.villages}
    sep = _t("list_sep", lang)

    def listed(refs: list[IndicatorRef]) -> str:
        return sep.join(indicator_name(r, names, lang) for r in refs)

    level = level_pct(results.parameters.level)
    if v.statistical == "credible":
        return _t("why.credible", lang, level=level)
    if v.statistical == "not_credible":
        return _t("why.not_credible", lang, names=listed(v.failing))
    parts = []
    if v.missing:
        kinds = sep.join(label("indicator", k, lang) for k in v.missing)
        parts.append(_t("why.missing", lang, names=kinds))
    if v.inconclusive:
        parts.append(_t("why.inconclusive", lang, names=listed(v.inconclusive)))
    if v.not_assessable:
        parts.append(_t("why.not_assessable", lang, names=listed(v.not_assessable)))
    held = held_back(results)
    if held:
        tests = sum(1 for i in results.indicators if i.judged and i.verdict != "not_assessable")
        parts.append(_t("why.holm", lang, names=listed(held), tests=tests))
    if v.follow_up is not None:
        parts.append(advice(v.follow_up, names, lang, results.parameters.planning_rate))
    return " ".join(parts) if lang == "en" else "".join(parts)


def held_back(results: ResultsRecord) -> list[IndicatorRef]:
    """Inconclusive indicators whose own bound lies on the failing side: Holm's step-down over
    the township's indicators did not confirm the failure (see evaluation.verdict.holm)."""

    def failing_side(i: Indicator) -> bool:
        e = i.estimate
        if i.direction == "below":
            return e.lower_bound is not None and e.lower_bound >= i.threshold
        return e.upper_bound is not None and e.upper_bound < i.threshold

    return [i.ref for i in results.indicators if i.verdict == "inconclusive" and failing_side(i)]


def advice(follow_up: FollowUp, names: dict, lang: str, planning_rate: float) -> str:
    """The follow-up advice in words (survey N more, in a village, or check every household),
    with the chance it certifies when the households not yet sampled carry ``planning_rate``."""
    village = (
        None
        if follow_up.village_id is None
        else names.get(follow_up.village_id, follow_up.village_id)
    )
    n = follow_up.households
    if follow_up.code == "full_check":
        said = (
            _t("advice.full_check", lang, households=n)
            if village is None
            else _t("advice.full_check_village", lang, households=n, village=village)
        )
        return said
    said = (
        _t("advice.survey_more", lang, households=n)
        if village is None
        else _t("advice.survey_more_village", lang, households=n, village=village)
    )
    if follow_up.power is None:
        return said
    promise = _t("advice.promise", lang, planning=pct(planning_rate), power=pct(follow_up.power, 0))
    return f"{said} {promise}" if lang == "en" else said + promise
