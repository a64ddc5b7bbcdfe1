"""The strict papermill runner: validate parameters, execute a report notebook, render its HTML.

Every report (抽样报告, 乡镇评估报告, 区县汇总报告) is a parameterized notebook in ``notebooks/``.
:func:`run_notebook` checks the parameters against the notebook's ``parameters`` cell *before*
a kernel starts, runs the notebook with this interpreter's own kernel (no ``ipykernel install``
needed) over Unix-socket transport (no TCP ports, so parallel runs cannot clash), keeps the
executed notebook for diagnosis and writes the HTML report atomically.

The commands render every report in-process from its records; this runner is the notebook path
(``exitcheck report FOLDER --notebook``, and Jupyter users): the same report blocks, displayed by
the notebook, then converted by nbconvert. papermill writes the executed notebook once at the end.

Parameter conventions (so a missing file fails before the kernel starts): a ``str`` parameter whose
name ends in ``_path`` or ``_file`` must name an existing file, one ending in ``_dir`` an existing
folder (an empty string means "not given").
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import papermill
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from papermill.exceptions import PapermillExecutionError

from data_contracts.errors import InputError, RequestError
from workbench.render import render_html

NOTEBOOK_DIR = Path(str(resources.files("notebooks")))  # package data, also in a wheel
KERNEL_NAME = "exitcheck-python"
LANGS = ("zh", "en")

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _ProjectKernelSpecs(KernelSpecManager):
    """Kernel specs that always resolve to this interpreter, without any installed spec files."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """Return a spec that launches ``sys.executable -m ipykernel_launcher``."""
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="exitcheck (Python)",
            language="python",
            interrupt_mode="signal",
            metadata={},
        )


def notebook_path(name: str, notebook_dir: Path = NOTEBOOK_DIR) -> Path:
    """Path of the report notebook ``<notebook_dir>/<name>.ipynb``; RequestError if none."""
    path = Path(notebook_dir) / f"{name}.ipynb"
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or not path.is_file():
        raise RequestError(f"no report notebook named {name!r} in {notebook_dir}.")
    return path


def declared_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The parameters the notebook's ``parameters`` cell declares (papermill's inspection)."""
    return papermill.inspect_notebook(str(path))


def _type_ok(value: Any, type_name: str) -> bool:
    """Whether ``value`` fits the declared type hint (unknown hints accept anything)."""
    hint = type_name.replace(" ", "")
    if value is None:
        return hint in ("None", "") or "None" in hint.split("|") or hint.startswith("Optional[")
    for part in re.sub(r"^Optional\[(.*)\]$", r"\1", hint).split("|"):
        base = part.split("[", 1)[0].lower()
        if base not in _TYPES:
            return True
        if base in ("int", "float") and isinstance(value, bool):
            continue
        if isinstance(value, _TYPES[base]):
            return True
    return False


def validate_parameters(
    name: str, parameters: Mapping[str, Any], notebook_dir: Path = NOTEBOOK_DIR
) -> dict[str, Any]:
    """Check ``parameters`` against notebook ``name`` before any kernel starts.

    Unknown names, values of the wrong type, strings with control characters (a newline could
    inject code into a plain-papermill run) and missing input files raise ``RequestError``.
    """
    declared = declared_parameters(notebook_path(name, notebook_dir))
    problems: list[str] = []
    for key, value in parameters.items():
        if key not in declared:
            known = ", ".join(declared) or "none"
            problems.append(f"unknown parameter {key!r} (the notebook declares: {known})")
            continue
        type_name = declared[key]["inferred_type_name"]
        if not _type_ok(value, type_name):
            got = f"{type(value).__name__} {value!r}"
            problems.append(f"parameter {key!r} must be {type_name}, got {got}")
            continue
        if isinstance(value, str):
            if _CONTROL.search(value):
                problems.append(f"parameter {key!r} contains a control character (newline, ...)")
            elif value and key.endswith(("_path", "_file")) and not Path(value).is_file():
                problems.append(f"parameter {key!r}: file {value} does not exist")
            elif value and key.endswith("_dir") and not Path(value).is_dir():
                problems.append(f"parameter {key!r}: folder {value} does not exist")
    if problems:
        raise RequestError(f"notebook {name}: " + "; ".join(problems) + ".")
    return dict(parameters)


def _kernel_manager() -> AsyncKernelManager:
    """A kernel manager for this interpreter using IPC sockets in a private temp folder.

    Unix-domain sockets named after a fresh connection file replace TCP ports, which avoids
    papermill's port race when several notebooks start kernels at once (``--jobs``).
    """
    runtime = tempfile.mkdtemp(prefix="exk-")
    return AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=_ProjectKernelSpecs(),
        transport="ipc",
        connection_file=os.path.join(runtime, "kernel.json"),
    )


def _shut_down(km: AsyncKernelManager) -> None:
    """Stop the kernel (nbclient leaves a kernel it was handed running); remove its sockets."""
    if km.has_kernel:
        run_sync(km.shutdown_kernel)(now=True)
    shutil.rmtree(Path(km.connection_file).parent, ignore_errors=True)


@contextlib.contextmanager
def project_kernel() -> Iterator[AsyncKernelManager]:
    """A fresh kernel manager (kernel started by papermill), shut down on leaving."""
    km = _kernel_manager()
    try:
        yield km
    finally:
        _shut_down(km)


def _failure_message(name: str, exc: PapermillExecutionError, kept: Path) -> str:
    """Two or three lines: notebook and cell, the error, where the executed notebook is kept."""
    first = next((ln.strip() for ln in (exc.source or "").splitlines() if ln.strip()), "")
    evalue = (exc.evalue or "").strip().splitlines()
    return (
        f"notebook {name} failed in cell {exc.cell_index} ({first[:80]}):\n"
        f"  {exc.ename}: {evalue[0] if evalue else ''}\n"
        f"  the executed notebook is kept for diagnosis: {kept}"
    )


def execute(
    name: str, parameters: Mapping[str, Any], executed: Path, notebook_dir: Path = NOTEBOOK_DIR
) -> Path:
    """Run notebook ``name`` with papermill into ``executed`` (already-validated parameters).

    The executed notebook is written once, at the end or when a cell fails (papermill's save
    after every cell cost about a second per report); a kernel that dies leaves none.
    """
    if executed.exists():
        raise RequestError(f"{executed} already exists; refusing to overwrite it.")
    executed.parent.mkdir(parents=True, exist_ok=True)
    with project_kernel() as km:
        try:
            papermill.execute_notebook(
                str(notebook_path(name, notebook_dir)),
                str(executed),
                parameters=dict(parameters),
                kernel_name=KERNEL_NAME,
                km=km,
                progress_bar=sys.stderr.isatty(),
                cwd=str(executed.parent),
                log_output=False,
                request_save_on_cell_execute=False,
            )
        except PapermillExecutionError as exc:
            raise InputError(_failure_message(name, exc, executed)) from None
        except DeadKernelError as exc:
            message = f"notebook {name}: the kernel died while running it ({exc})."
            raise InputError(message) from None
    return executed


def run_notebook(
    name: str,
    parameters: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    html_name: str,
    lang: str = "zh",
    *,
    notebook_dir: Path = NOTEBOOK_DIR,
) -> Path:
    """Validate, execute ``notebooks/<name>.ipynb`` into ``out_dir`` and render ``html_name``.

    The executed notebook is ``out_dir/<name>.ipynb``. A ``lang`` parameter is passed to the
    notebook when it declares one. Returns the path of the HTML report. Neither file may exist.
    ``notebook_dir`` is for tests and other notebook collections.
    """
    if lang not in LANGS:
        raise RequestError(f"language must be one of {', '.join(LANGS)}, got {lang!r}.")
    params = dict(parameters)
    if "lang" in declared_parameters(notebook_path(name, notebook_dir)):
        params.setdefault("lang", lang)
    validate_parameters(name, params, notebook_dir)
    out = Path(out_dir)
    html = out / html_name
    if html.exists():
        raise RequestError(f"{html} already exists; refusing to overwrite it.")
    executed = execute(name, params, out / f"{name}.ipynb", notebook_dir)
    return render_html(executed, html, lang=lang)
