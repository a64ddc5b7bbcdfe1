"""The shipped demo inputs: identical to a fresh generation, readable, never overwritten."""

from __future__ import annotations

import pytest

from data_contracts import load
from data_contracts.columns import HOUSEHOLDS
from data_contracts.demo import demo_input_paths, write_demo_inputs
from data_contracts.demo.files import HOUSEHOLDS_TITLE, households_xlsx, xlsx_cell_values
from data_contracts.errors import ExitcheckError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """The demo inputs generated afresh from the default seed (about ten seconds)."""
    return write_demo_inputs(tmp_path_factory.mktemp("demo"), regenerate=True)


def test_shipped_csv_files_are_byte_identical_to_a_fresh_generation(regenerated):
    shipped = demo_input_paths()
    for kind in ("villages", "poverty-lines"):
        assert regenerated[kind].read_bytes() == shipped[kind].read_bytes(), kind
        assert shipped[kind].read_bytes().startswith(b"\xef\xbb\xbf")


def test_shipped_households_xlsx_matches_a_fresh_generation(regenerated):
    shipped = demo_input_paths()["households"]
    # Fixed zip timestamps make the bytes reproducible; should another openpyxl version write
    # different bytes, the parsed cells must still agree.
    if regenerated["households"].read_bytes() != shipped.read_bytes():
        assert xlsx_cell_values(shipped) == xlsx_cell_values(regenerated["households"])
    assert shipped.stat().st_size < 1_800_000


def test_households_export_layout(district, tmp_path):
    path = tmp_path / "households.xlsx"
    path.write_bytes(households_xlsx(district.households.head(3)))
    title, header, first, *rest = xlsx_cell_values(path)
    assert title == (HOUSEHOLDS_TITLE,) and len(rest) == 2
    assert list(header) == [c.header for c in HOUSEHOLDS]
    hh = district.households.iloc[0]
    assert first[:3] == (hh["household_id"], "示范县", hh["township"])
    assert first[header.index("吃穿不愁")] == "是"
    assert first[header.index("公示开始日期")] == hh["notice_start"].to_pydatetime()
    assert first[header.index("人均纯收入")] == pytest.approx(hh["income_per_capita"])


def test_default_write_copies_the_shipped_files_and_refuses_to_overwrite(tmp_path):
    written = write_demo_inputs(tmp_path)
    for kind, path in demo_input_paths().items():
        assert written[kind].read_bytes() == path.read_bytes()
    with pytest.raises(ExitcheckError, match="already exists"):
        write_demo_inputs(tmp_path)


def test_shipped_csv_files_load_under_their_contracts(district):
    villages = load("villages", demo_input_paths()["villages"]).frame
    assert villages["village_id"].tolist() == district.villages["village_id"].tolist()
    assert (
        villages["poor_population_remaining"] == district.villages["poor_population_remaining"]
    ).all()
    lines = load("poverty-lines", demo_input_paths()["poverty-lines"]).frame
    assert dict(zip(lines["year"], lines["line"], strict=True))[2016] == 2952
    assert set(lines["kind"]) == {"national"}
