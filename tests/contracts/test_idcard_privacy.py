"""GB 11643 check digits and masking of personal data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_contracts import idcard, privacy


@pytest.mark.parametrize(
    ("first17", "digit"),
    [("11010519491231002", "X"), ("44052418800101001", "4")],  # GB 11643-1999 examples
)
def test_check_digit_matches_the_standard(first17: str, digit: str) -> None:
    assert idcard.check_digit(first17) == digit


def _reference_check_digit(first17: str) -> str:
    """Independent, plain ISO 7064 MOD 11-2 as written in the standard."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def test_check_digit_agrees_with_reference_on_many_numbers() -> None:
    rng = np.random.default_rng(11643)
    numbers = ["".join(map(str, rng.integers(0, 10, 17))) for _ in range(500)]
    assert [idcard.check_digit(n) for n in numbers] == [_reference_check_digit(n) for n in numbers]


def test_check_digit_by_hand() -> None:
    # sum of digit * (2^(17-i) mod 11) for 11010519491231002 is 167; 167 mod 11 = 2 -> 'X'
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert list(idcard.WEIGHTS) == weights
    assert sum(int(d) * w for d, w in zip("11010519491231002", weights, strict=True)) == 167


def test_check_digit_rejects_non_digits() -> None:
    with pytest.raises(ValueError, match="17 digits"):
        idcard.check_digit("1101051949123100X")


def test_is_valid() -> None:
    assert idcard.is_valid("11010519491231002X")
    assert idcard.is_valid("11010519491231002x")  # lower-case x is accepted
    assert not idcard.is_valid("110105194912310021")  # wrong check digit
    assert not idcard.is_valid("110105194902300027")  # 30 February
    assert not idcard.is_valid("1101051949123100")  # too short


def test_problem_reasons() -> None:
    reasons = idcard.problems(
        pd.Series(["11010519491231002X", "110105194912310021", "12", "110105194913310021", None])
    )
    assert pd.isna(reasons[0]) and pd.isna(reasons[4])
    assert reasons[1] == "check digit X (GB 11643) for these 17 digits"
    assert reasons[2].startswith("18 characters")
    assert "birth date" in reasons[3]


def test_masks() -> None:
    assert privacy.mask_id("37130219900101123X") == "3713**********123X"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_name("张三") == "张*"
    assert privacy.mask_name("张三丰") == "张**"
    assert privacy.mask_name("欧阳娜娜") == "欧阳**"
    assert privacy.mask_name("欧阳") == "欧*"  # two characters: 欧 is the surname


def test_mask_frame_masks_only_personal_columns() -> None:
    df = pd.DataFrame({
        "household_id": ["H1", "H2"],
        "head_name": ["李四", None],
        "head_id_number": ["11010519491231002X", "371302199001011234"],
        "phone": ["13912345678", None],
    })  # fmt: skip
    masked = privacy.mask_frame(df)
    assert masked["head_name"].tolist()[0] == "李*" and pd.isna(masked["head_name"][1])
    assert masked["head_id_number"].tolist() == ["1101**********002X", "3713**********1234"]
    assert masked["phone"][0] == "139****5678" and pd.isna(masked["phone"][1])
    assert masked["household_id"].tolist() == ["H1", "H2"]
    assert df["head_name"][0] == "李四"  # the input is untouched
    assert set(privacy.PERSONAL_COLUMNS) == {"head_name", "head_id_number", "phone"}
