"""The strict papermill runner: validate parameters, execute a report notebook, render its HTML.

Every report (抽样报告, 乡镇评估报告, 区县汇总报告) is a parameterized notebook in ``notebooks/``.
:func:`run_notebook` checks the parameters against the notebook's ``parameters`` cell *before*
a kernel starts, runs the notebook with this interpreter's own kernel (no ``ipykernel install``
needed) over Unix-socket transport (no TCP ports, so parallel runs cannot clash), keeps the
executed notebook for diagnosis and writes the HTML report atomically.

Speed: papermill writes the executed notebook once at the end (not after every cell), and a
worker process that runs many notebooks (``exitcheck demo``) calls :func:`share_kernel` once so
its notebooks reuse one kernel — started and importing pandas, scipy and matplotlib only once —
whose working folder and namespace are reset before each notebook (as a fresh kernel would be).

Parameter conventions (so a missing file fails before the kernel starts): a ``str`` parameter whose
name ends in ``_path`` or ``_file`` must name an existing file, one ending in ``_dir`` an existing
folder (an empty string means "not given").
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing.util
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


_shared: list[AsyncKernelManager] = []  # this process's reused kernel, once share_kernel is on
os.register_at_fork(after_in_child=_shared.clear)  # a forked worker never uses its parent's kernel


def share_kernel() -> None:
    """Let every later notebook of this process reuse one kernel (a worker's initializer).

    The kernel is shut down when the process exits (normally or as a pool worker); should it
    die, the next notebook starts a new one.
    """
    if not _shared:
        _shared.append(_kernel_manager())
        atexit.register(stop_shared_kernel)
        multiprocessing.util.Finalize(None, stop_shared_kernel, exitpriority=10)


def stop_shared_kernel() -> None:
    """Shut the reused kernel down and return to a fresh kernel per notebook (idempotent)."""
    while _shared:
        _shut_down(_shared.pop())


_RESET = "__import__('os').chdir({cwd!r}); get_ipython().reset(new_session=True)"


async def _reset(km: AsyncKernelManager, cwd: Path) -> None:
    """Move the running kernel to ``cwd`` with an empty namespace and execution count 1."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        reply = await kc.execute_interactive(
            _RESET.format(cwd=str(cwd)), silent=True, store_history=False, timeout=60
        )
    finally:
        kc.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RequestError(f"could not prepare the report kernel: {reply['content'].get('evalue')}")


def _shared_kernel(cwd: Path) -> AsyncKernelManager:
    """The process's reused kernel, ready in ``cwd``; a dead one is replaced by a new kernel.

    ``cwd`` is made absolute first: the kernel stays in the previous notebook's folder, so a
    relative path (``exitcheck demo``'s default ``--out``) would resolve from there.
    """
    cwd = cwd.resolve()
    km = _shared[0]
    if km.has_kernel and not run_sync(km.is_alive)():
        _shut_down(km)
        km = _shared[0] = _kernel_manager()
    if not km.has_kernel:
        run_sync(km.start_kernel)(cwd=str(cwd))
    run_sync(_reset)(km, cwd)
    return km


@contextlib.contextmanager
def _kernel_for(cwd: Path) -> Iterator[AsyncKernelManager]:
    """The shared kernel prepared for ``cwd`` when :func:`share_kernel` is on, else a fresh one."""
    if not _shared:
        with project_kernel() as km:
            yield km
        return
    yield _shared_kernel(cwd)


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
    with _kernel_for(executed.parent) as km:
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
