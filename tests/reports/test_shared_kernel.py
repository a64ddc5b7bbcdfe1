"""One kernel per worker (``runner.share_kernel``): reused, reset as if fresh, replaced if dead."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from data_contracts.errors import InputError
from workbench.cli import exit_code
from workbench.pipeline import _worker_context
from workbench.runner import run_notebook, share_kernel, stop_shared_kernel

pytestmark = pytest.mark.notebook

PROBE = [
    new_code_cell("tag: str = ''\ndie: bool = False", metadata={"tags": ["parameters"]}),
    new_code_cell("import os\nseen = sorted(k for k in globals() if k.startswith('leftover'))"),
    new_code_cell("print(os.getpid(), os.getcwd(), seen)\nleftover_from = tag"),
    new_code_cell("if die:\n    os._exit(1)"),
]


@pytest.fixture
def probe_dir(tmp_path: Path) -> Path:
    """A notebook folder with ``probe.ipynb``: prints pid, cwd and names left by earlier runs."""
    folder = tmp_path / "nb"
    folder.mkdir()
    spec = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=PROBE, metadata=spec), str(folder / "probe.ipynb"))
    return folder


@pytest.fixture
def shared():
    """``share_kernel`` on for the test, the kernel stopped afterwards."""
    share_kernel()
    yield
    stop_shared_kernel()


def _probe(folder: Path, out: Path, **params) -> tuple[int, str, str, list[int]]:
    """Run the probe; its printed pid, cwd, leftovers and the code cells' execution counts."""
    run_notebook("probe", {"tag": out.name, **params}, out, "r.html", notebook_dir=folder)
    nb = nbformat.read(str(out / "probe.ipynb"), as_version=4)
    printed = next(c for c in nb.cells if c.source.startswith("print"))  # after injected params
    pid, cwd, seen = printed.outputs[0]["text"].split(" ", 2)
    return int(pid), cwd, seen.strip(), [c.execution_count for c in nb.cells]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_notebooks_share_one_kernel_reset_between_runs(probe_dir: Path, tmp_path, shared) -> None:
    first = _probe(probe_dir, tmp_path / "a")
    second = _probe(probe_dir, tmp_path / "b")
    assert first[0] == second[0]  # the same kernel process
    # each run starts in its own folder, with an empty namespace and counts from 1, as fresh
    assert (first[1], second[1]) == (str(tmp_path / "a"), str(tmp_path / "b"))
    assert first[2] == second[2] == "[]"
    assert first[3] == second[3] == [1, 2, 3, 4, 5]
    stop_shared_kernel()
    assert not _alive(first[0])
    third = _probe(probe_dir, tmp_path / "c")  # back to a fresh kernel per notebook
    assert third[0] != first[0] and not _alive(third[0])


def test_relative_output_folders_with_a_shared_kernel(
    probe_dir: Path, tmp_path, shared, monkeypatch
) -> None:
    """The kernel keeps the previous notebook's folder: relative paths must not resolve from it."""
    monkeypatch.chdir(tmp_path)
    first = _probe(probe_dir, Path("runs/a"))
    second = _probe(probe_dir, Path("runs/b"))
    assert first[0] == second[0]
    assert (first[1], second[1]) == (str(tmp_path / "runs/a"), str(tmp_path / "runs/b"))


def test_a_dead_shared_kernel_is_replaced(probe_dir: Path, tmp_path, shared) -> None:
    pid = _probe(probe_dir, tmp_path / "a")[0]
    with pytest.raises(InputError, match="notebook probe: the kernel died") as info:
        _probe(probe_dir, tmp_path / "b", die=True)
    assert exit_code(info.value) == 1
    assert not _alive(pid)
    again = _probe(probe_dir, tmp_path / "c")
    assert again[0] != pid and again[2] == "[]"


def test_without_sharing_each_notebook_gets_a_fresh_kernel(probe_dir: Path, tmp_path) -> None:
    first, second = _probe(probe_dir, tmp_path / "a"), _probe(probe_dir, tmp_path / "b")
    assert first[0] != second[0]
    assert not _alive(first[0]) and not _alive(second[0])


def test_workers_fork_only_from_a_single_threaded_process() -> None:
    alone = threading.active_count() == 1
    expected = "fork" if sys.platform == "linux" and alone else "spawn"
    assert _worker_context().get_start_method() == expected
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert _worker_context().get_start_method() == "spawn"
    finally:
        stop.set()
        helper.join()
