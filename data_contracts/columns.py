"""Column specifications of every input table: canonical name, Chinese header, type, unit.

This module is the single source of the column names. Readers map Chinese (or English) headers
onto the canonical names; the sampling package writes the blank survey form (调查表) from
``SURVEY_COLUMNS``; the demo generator writes the registry exports (建档立卡系统导出表) from the
households, villages and poverty-lines specs. Keep names and order stable.

Types: ``text``, ``int``, ``money`` (yuan, float), ``bool`` (是/否), ``date``, ``id_number``
(18-character resident ID, GB 11643), ``enum`` (a fixed set of codes, each with a Chinese label).
``required`` means the column must be present and every cell filled; an optional column may be
missing from the file (it is then added empty) or have blank cells. ``personal`` columns (names,
ID numbers, phones) appear in clear only in the field manifest; in ``free_text`` columns (备注)
anything shaped like an ID or mobile number is masked when read. ``key`` columns (codes and place
names matched across tables) and ID numbers are read in one Unicode form
(``data_contracts.normalise``), and refused when Excel stored them as numbers. Rules that depend
on other columns (survey rows, village populations, date order) live in
``data_contracts.schemas``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from data_contracts.errors import RequestError

ColumnType = Literal["text", "int", "money", "bool", "date", "id_number", "enum"]

KINDS = ("households", "villages", "survey", "village-survey", "poverty-lines")


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    header: str
    type: ColumnType
    required: bool = False
    personal: bool = False
    meaning: str = ""
    free_text: bool = False  # typed by hand: ID- and mobile-shaped numbers are masked
    key: bool = False  # a code or place name matched across tables: normalised when read
    values: tuple[tuple[str, str], ...] = ()  # enum: (code, Chinese label) pairs
    aliases: tuple[str, ...] = ()  # other headers seen in real exports

    @property
    def codes(self) -> tuple[str, ...]:
        """Allowed codes of an enum column (empty for other types)."""
        return tuple(code for code, _ in self.values)


#: codes and place names that tables are matched on (household ↔ survey, village ↔ township)
KEY_NAMES = ("household_id", "replaces_household_id", "village_id", "township", "village")


def _c(
    name: str, header: str, type_: ColumnType, req: bool = False, meaning: str = "", **kw
) -> Column:
    return Column(name, header, type_, req, meaning=meaning, key=name in KEY_NAMES, **kw)


_DATES = (
    ("notice_start", "公示开始日期", "start of the 7-day village public notice (公示)"),
    ("notice_end", "公示结束日期", "end of the village public notice"),
)
_ANNOUNCE = (
    ("announce_start", "公告开始日期", "start of the 5-day public announcement (公告)"),
    ("announce_end", "公告结束日期", "end of the public announcement"),
)

HOUSEHOLDS: tuple[Column, ...] = (
    _c("household_id", "户编号", "text", True, "household code in the register, unique"),
    _c("county", "县（市、区）", "text", meaning="county / district", aliases=("县(市区)", "县")),
    _c("township", "乡镇（街道）", "text", True, "township or street", aliases=("乡镇", "乡(镇)")),
    _c("village_id", "村编码", "text", True, "administrative village code; must exist in villages"),
    _c("village", "行政村", "text", True, "administrative village name", aliases=("村",)),
    _c("head_name", "户主姓名", "text", personal=True, meaning="household head's name"),
    _c(
        "head_id_number",
        "证件号码",
        "id_number",
        personal=True,
        meaning="household head's resident ID number, 18 characters, GB 11643 check digit",
        aliases=("身份证号码", "身份证号", "户主身份证号"),
    ),
    _c("phone", "联系电话", "text", personal=True, meaning="contact phone", aliases=("电话",)),
    _c("household_size", "家庭人口数", "int", True, "persons in the household, >= 1"),
    _c(
        "income_per_capita",
        "人均纯收入",
        "money",
        True,
        "reported annual net income per person, yuan per person per year, >= 0",
    ),
    _c("wage_income", "工资性收入", "money", meaning="household wage income, yuan per year"),
    _c(
        "business_income",
        "生产经营性收入",
        "money",
        meaning="household net business income, yuan per year (may be negative: losses)",
    ),
    _c(
        "property_income", "财产性收入", "money", meaning="household property income, yuan per year"
    ),
    _c(
        "transfer_income", "转移性收入", "money", meaning="household transfer income, yuan per year"
    ),
    _c("exit_year", "脱贫年度", "int", True, "year the household exited the register"),
    _c("food_clothing_secure", "吃穿不愁", "bool", True, "enough food and clothing, as recorded"),
    _c(
        "education_secure",
        "义务教育有保障",
        "bool",
        True,
        "compulsory education secured, as recorded",
    ),
    _c("medical_secure", "基本医疗有保障", "bool", True, "basic medical care secured, as recorded"),
    _c("housing_secure", "住房安全有保障", "bool", True, "housing safe, as recorded"),
    _c(
        "appraisal_date",
        "民主评议日期",
        "date",
        meaning="villagers' representative appraisal (民主评议)",
    ),
    *(_c(n, h, "date", meaning=m) for n, h, m in _DATES),
    _c("township_review_date", "乡镇审核日期", "date", meaning="township spot-check / review"),
    *(_c(n, h, "date", meaning=m) for n, h, m in _ANNOUNCE),
    _c(
        "household_acknowledged",
        "贫困户认可",
        "bool",
        meaning="household acknowledged the exit (户认可)",
    ),
)

VILLAGES: tuple[Column, ...] = (
    _c("village_id", "村编码", "text", True, "administrative village code, unique"),
    _c("township", "乡镇（街道）", "text", True, "township or street", aliases=("乡镇", "乡(镇)")),
    _c("village", "行政村", "text", True, "administrative village name", aliases=("村",)),
    _c(
        "key_village",
        "是否重点村",
        "bool",
        True,
        "poverty-alleviation key village (扶贫工作重点村)",
    ),
    _c("registered_population", "农业户籍人口", "int", True, "registered rural population, >= 1"),
    _c(
        "poor_population_remaining",
        "剩余贫困人口",
        "int",
        True,
        "registered poor persons not yet exited, 0 ..= registered_population",
    ),
    _c("exited", "是否退出", "bool", True, "key village declared exited"),
    _c("exit_year", "退出年度", "int", meaning="year the village exited"),
    _c(
        "collective_income",
        "村集体经济收入",
        "money",
        meaning="village collective income, yuan per year",
    ),
    *(_c(n, h, "date", meaning=m) for n, h, m in _DATES),
    *(_c(n, h, "date", meaning=m) for n, h, m in _ANNOUNCE),
    _c("roads", "通硬化路", "bool", meaning="hardened road to the village"),
    _c("drinking_water", "安全饮水", "bool", meaning="safe drinking water"),
    _c("electricity", "通电", "bool", meaning="grid electricity"),
    _c("clinic", "标准化卫生室", "bool", meaning="standard village clinic"),
    _c("school_access", "义务教育就学", "bool", meaning="compulsory-school access"),
)

VISIT_STATUS = (
    ("completed", "完成"),
    ("replacement", "替换户"),
    ("refused", "拒访"),
    ("not_found", "未找到"),
)
INTERVIEWED_STATUSES = ("completed", "replacement")  # rows that carry verified data

SURVEY: tuple[Column, ...] = (
    _c("household_id", "户编号", "text", True, "household code as in the sample"),
    _c("visit_status", "调查状态", "enum", True, "outcome of the visit", values=VISIT_STATUS),
    _c(
        "replaces_household_id",
        "被替换户编号",
        "text",
        meaning="sampled household a replacement replaces",
    ),
    _c(
        "surveyed_household_size",
        "核实家庭人口数",
        "int",
        True,
        "verified persons in the household, >= 1; required on completed/replacement rows",
    ),
    _c(
        "surveyed_income_per_capita",
        "核实人均纯收入",
        "money",
        True,
        "verified net income, yuan per person per year; required on completed/replacement rows",
    ),
    _c(
        "surveyed_wage_income", "核实工资性收入", "money", meaning="verified wage income, yuan/year"
    ),
    _c(
        "surveyed_business_income",
        "核实生产经营性收入",
        "money",
        meaning="verified net business income, yuan/year (may be negative)",
    ),
    _c(
        "surveyed_property_income",
        "核实财产性收入",
        "money",
        meaning="verified property income, yuan/year",
    ),
    _c(
        "surveyed_transfer_income",
        "核实转移性收入",
        "money",
        meaning="verified transfer income, yuan/year",
    ),
    _c(
        "verified_food_clothing_secure", "核实吃穿不愁", "bool", True, "verified: food and clothing"
    ),
    _c("verified_education_secure", "核实义务教育有保障", "bool", True, "verified: education"),
    _c("verified_medical_secure", "核实基本医疗有保障", "bool", True, "verified: medical care"),
    _c("verified_housing_secure", "核实住房安全有保障", "bool", True, "verified: safe housing"),
    _c("acknowledges_exit", "是否认可脱贫", "bool", meaning="household acknowledges it has exited"),
    _c(
        "approves_result",
        "对脱贫结果是否认可",
        "bool",
        meaning="approves the exit result (群众认可度)",
    ),
    _c("knew_of_notice", "是否知晓公示", "bool", meaning="knew of the public notice"),
    _c("enumerator", "调查员", "text", meaning="enumerator name or code", free_text=True),
    _c("survey_date", "调查日期", "date", meaning="date of the visit"),
    _c("notes", "备注", "text", meaning="free-text notes", free_text=True),
)

VILLAGE_SURVEY: tuple[Column, ...] = (
    _c("village_id", "村编码", "text", True, "administrative village code"),
    _c(
        "verified_registered_population",
        "核实农业户籍人口",
        "int",
        True,
        "verified rural population, >= 1",
    ),
    _c(
        "verified_poor_remaining",
        "核实剩余贫困人口",
        "int",
        True,
        "verified remaining poor persons, 0 ..= verified population",
    ),
    _c("verified_roads", "核实通硬化路", "bool", meaning="verified: hardened road"),
    _c("verified_drinking_water", "核实安全饮水", "bool", meaning="verified: safe drinking water"),
    _c("verified_electricity", "核实通电", "bool", meaning="verified: electricity"),
    _c("verified_clinic", "核实标准化卫生室", "bool", meaning="verified: standard clinic"),
    _c("verified_school_access", "核实义务教育就学", "bool", meaning="verified: school access"),
    _c("assessor_notes", "评估员备注", "text", meaning="assessor's notes", free_text=True),
)

LINE_KINDS = (("provincial", "省定"), ("national", "国家"))

POVERTY_LINES: tuple[Column, ...] = (
    _c("year", "年度", "int", True, "calendar year"),
    _c("line", "扶贫标准", "money", True, "poverty line, yuan per person per year, > 0"),
    _c(
        "kind",
        "标准类别",
        "enum",
        True,
        "provincial (省定) or national (国家) line",
        values=LINE_KINDS,
    ),
    _c(
        "source",
        "来源",
        "text",
        True,
        "where the figure comes from; says so when it is an assumption",
        free_text=True,
    ),
)

SPECS: dict[str, tuple[Column, ...]] = {
    "households": HOUSEHOLDS,
    "villages": VILLAGES,
    "survey": SURVEY,
    "village-survey": VILLAGE_SURVEY,
    "poverty-lines": POVERTY_LINES,
}


def pairs(spec: tuple[Column, ...]) -> tuple[tuple[str, str], ...]:
    """Ordered (canonical name, Chinese header) pairs of a table spec."""
    return tuple((c.name, c.header) for c in spec)


HOUSEHOLD_COLUMNS = pairs(HOUSEHOLDS)
VILLAGE_COLUMNS = pairs(VILLAGES)
SURVEY_COLUMNS = pairs(SURVEY)
VILLAGE_SURVEY_COLUMNS = pairs(VILLAGE_SURVEY)
POVERTY_LINE_COLUMNS = pairs(POVERTY_LINES)


def spec(kind: str) -> tuple[Column, ...]:
    """The column spec of a table kind; unknown kinds raise ``RequestError``."""
    try:
        return SPECS[kind]
    except KeyError:
        raise RequestError(
            f"unknown table kind {kind!r}; expected one of: {', '.join(KINDS)}"
        ) from None


def column(kind: str, name: str) -> Column:
    """The spec of one column of a table kind."""
    return next(c for c in spec(kind) if c.name == name)
