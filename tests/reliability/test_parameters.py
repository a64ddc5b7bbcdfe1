"""Parameters that could inject code or escape the run folder (docs/reliability.md §3)."""

from __future__ import annotations

import ast

import pytest
from papermill.translators import PythonTranslator
from reliability_helpers import draw_without_report, sample_argv

from data_contracts.errors import ExitcheckError
from data_contracts.names import check_name
from workbench.cli import main

HOSTILE = ["../../x", "..", "a/b", "a\\b", 'x"; import os; os.system("id") #', "x'y", "白马镇\n",
           "白\n马镇", "x\x00", "`id`", "$(id)", "a;b", "", "   ", "镇" * 41]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_township_names_are_refused_by_sample(inputs, name, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    argv = sample_argv(inputs, out)
    argv[argv.index("--township") + 1] = name
    assert draw_without_report(argv) == 2
    assert "--township" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["../../x", "白马镇\n", 'a"b'])
def test_hostile_township_names_are_refused_by_demo(name, tmp_path, capsys) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--townships", name]) == 2
    assert "refused" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["白马镇", "城关街道（新区）", "Baima Town", "第3·5片区"])
def test_chinese_and_ordinary_names_pass(name) -> None:
    assert check_name(f" {name} ", "--township") == name


def test_a_valid_but_unknown_name_is_a_clear_error(inputs, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    argv = sample_argv(inputs, out)
    argv[argv.index("--township") + 1] = "城关街道（新区）"
    assert draw_without_report(argv) == 2
    assert "is not in the households file" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("path", ['/tmp/a"b\n__import__("os").system("id")', "/tmp/x\\'; y"])
def test_notebook_parameters_are_literals(path) -> None:
    """Paths reach the report notebook as string literals: nothing in them can run."""
    cell = PythonTranslator().codify({"run_dir": path})
    tree = ast.parse(cell)
    [assign] = [node for node in tree.body if isinstance(node, ast.Assign)]
    assert ast.literal_eval(assign.value) == path


def test_check_name_message_names_the_character() -> None:
    with pytest.raises(ExitcheckError, match=r"character '/' is not allowed"):
        check_name("../x", "--township")


@pytest.mark.parametrize(
    "extra",
    [
        ("--threshold", "nan"),
        ("--deff", "inf"),
        ("--alpha", "2"),
        ("--risk-cuts", "nan,0.3"),
        ("--exit-years", "2016,,x"),
        ("--good-rate", "nan"),
    ],
)
def test_nan_inf_and_out_of_range_numbers_are_refused(inputs, extra, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    assert draw_without_report(sample_argv(inputs, out, *extra)) == 2
    assert "exitcheck sample: " in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("reps", ["5", str(10**11)])
def test_review_replications_are_bounded(reps, tmp_path, capsys) -> None:
    """10^11 replications used to end in a MemoryError traceback."""
    out = tmp_path / "review"
    assert main(["review", "--reps", reps, "--out", str(out)]) == 2
    assert "--reps must be between 20 and 20000" in capsys.readouterr().err
    assert not out.exists()


def test_a_look_alike_township_gets_a_suggestion(inputs, tmp_path, capsys) -> None:
    """白馬鎮 (traditional characters) for the registry's 白马镇: refused, with the close match."""
    out = tmp_path / "run"
    argv = sample_argv(inputs, out)
    argv[argv.index("--township") + 1] = "白馬鎮"
    assert draw_without_report(argv) == 2
    err = capsys.readouterr().err
    assert "township '白馬鎮' is not in the households file; did you mean 白马镇" in err
    assert not out.exists()
