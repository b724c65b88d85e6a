"""One run owns its output folder: the checks, the lock and the atomic replacement.

Every training run (:func:`seqlab.train.fit_task`) claims its model folder first::

    fresh run      the folder must be missing or empty; one that holds a model, a training
                   run or files seqlab did not write is an error naming what is there
    resume=True    continues the run saved in the folder's last/ (Trainer.resume)
    overwrite=True trains into a hidden sibling ``.NAME.overwrite`` and swaps it in whole when
                   the run is complete (renameat2 RENAME_EXCHANGE on Linux: one atomic step),
                   so the folder always holds the old model or the new one, never a mix

While it runs, the run holds an exclusive ``fcntl.flock`` on ``NAME/.seqlab.lock``; a second run
into the same folder fails at once, naming the first one's process id. The operating system
releases the lock when the process dies, so a run killed with ``kill -9`` never leaves a stale
lock (the empty file may stay; it is not a lock by itself). Where ``fcntl`` does not exist
(Windows) runs are not locked.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_FILE", "OutputFolder", "claim_out_dir", "describe_contents"]

LOCK_FILE = ".seqlab.lock"
# Sub-folders a model folder may hold (the trainer's resumable state and its swap leftovers).
_RUN_FOLDERS = {"last", "last.tmp", "last.old"}


def describe_contents(folder: Path) -> str | None:
    """What a folder holds, in words, or None when it is missing or empty.

    Hidden leftovers of seqlab's own writes (the lock file, ``.NAME.*.tmp``) do not count.
    """
    if not folder.is_dir():
        return None
    names = sorted(p.name for p in folder.iterdir() if not _ours(p.name))
    if not names:
        return None
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    task = _task_of(folder)
    if task is not None:
        return f"a model of task {task!r} ({shown})"
    if (folder / "last" / "trainer_state.json").is_file():
        return f"an unfinished training run ({shown})"
    return f"files seqlab did not write ({shown})"


def _ours(name: str) -> bool:
    return name == LOCK_FILE or (name.startswith(".") and name.endswith(".tmp"))


def _task_of(folder: Path) -> str | None:
    from seqlab.train.folder import read_config

    try:
        return read_config(folder)["task"]
    except ValueError:
        return None


def _is_model_folder(folder: Path) -> bool:
    """A folder --overwrite may replace: a model or a training run, no foreign sub-folders."""
    if _task_of(folder) is None and not (folder / "last" / "trainer_state.json").is_file():
        return False
    return all(not p.is_dir() or p.name in _RUN_FOLDERS or p.name.startswith(".")
               for p in folder.iterdir())  # fmt: skip


def check_out_path(out_dir: Path) -> None:
    """The folder can be created: it is not a file, and nothing above it is a file.

    Raises:
        ValueError: ``runs/notes.txt/model: runs/notes.txt is a file, not a folder``.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is a file, not a folder")
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{out_dir}: {parent} is a file, not a folder")
            break


class OutputFolder:
    """A claimed output folder; see :func:`claim_out_dir`.

    Attributes:
        path: the model folder the user named.
        work_dir: where the run writes: ``path``, or the hidden staging sibling with overwrite.
    """

    def __init__(self, path: Path, work_dir: Path) -> None:
        self.path, self.work_dir = path, work_dir

    def commit(self) -> None:
        """Swap the finished run in for the old folder (overwrite); a no-op otherwise."""
        if self.work_dir == self.path:
            return
        swap_in(self.work_dir, self.path)


def swap_in(staging: Path, final: Path) -> None:
    """Replace the folder ``final`` by ``staging`` so that ``final`` is always one or the other.

    On Linux both are exchanged in one ``renameat2(RENAME_EXCHANGE)``; elsewhere (or on a file
    system without it) ``final`` is renamed aside first, and :func:`recover` puts it back if the
    process dies between the two renames. The old folder is deleted afterwards.
    """
    if final.exists() and _exchange(staging, final):
        _fsync_dir(final.parent)
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = _aside(final)
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    _fsync_dir(final.parent)
    shutil.rmtree(old, ignore_errors=True)


def _aside(final: Path) -> Path:
    return final.with_name(f".{final.name}.old")


def _staging(final: Path) -> Path:
    return final.with_name(f".{final.name}.overwrite")


def recover(final: Path) -> None:
    """Undo what a killed :func:`swap_in` or overwrite run left beside ``final``."""
    old = _aside(final)
    if old.is_dir() and not final.exists():
        os.replace(old, final)  # died between the two renames of the fallback
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def claim_out_dir(
    out_dir: str | os.PathLike[str],
    *,
    resume: bool = False,
    overwrite: bool = False,
    is_main: bool = True,
) -> Iterator[OutputFolder]:
    """Own ``out_dir`` for one run: check it, lock it, and clean up what a failed run made.

    Args:
        out_dir: the model folder.
        resume: the run continues the one saved in ``out_dir/last``.
        overwrite: the folder may hold a model (or a training run): the new run replaces it
            whole when it completes (:meth:`OutputFolder.commit`).
        is_main: False on the other ranks of a distributed run: no checks, no lock, no files;
            they agree with rank 0 on ``work_dir``.

    Yields:
        An :class:`OutputFolder`; call ``commit()`` once the run is complete.

    Raises:
        ValueError: both resume and overwrite; a path through a file; a folder that is not
            empty on a fresh run (naming what it holds); overwrite of a folder that is not a
            model folder; another run holding the lock.
    """
    path = Path(out_dir)
    if resume and overwrite:
        raise ValueError("give resume or overwrite, not both")
    work_dir = _staging(path) if overwrite else path
    if not is_main:
        yield OutputFolder(path, work_dir)
        return
    check_out_path(path)
    recover(path)
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    try:
        with _locked(path):
            _check_contents(path, resume=resume, overwrite=overwrite)
            if overwrite:
                shutil.rmtree(work_dir, ignore_errors=True)  # a killed overwrite's leftovers
            claim = OutputFolder(path, work_dir)
            try:
                yield claim
            except BaseException as error:
                if work_dir != path:  # an unfinished replacement is useless: the old model stays
                    shutil.rmtree(work_dir, ignore_errors=True)
                if created and isinstance(error, Exception):  # Ctrl-C keeps it for --resume
                    shutil.rmtree(path, ignore_errors=True)
                raise
    except BaseException:
        if created and describe_contents(path) is None:
            shutil.rmtree(path, ignore_errors=True)
        raise


def _check_contents(path: Path, *, resume: bool, overwrite: bool) -> None:
    contents = describe_contents(path)
    if contents is None or resume:
        return
    if not overwrite:
        raise ValueError(f"{path} is not empty: it holds {contents}; give --overwrite "
                         "(overwrite=True) to replace it, --resume (resume=True) to continue "
                         "its training, or another folder")  # fmt: skip
    if not _is_model_folder(path):
        raise ValueError(f"{path} holds {contents}; --overwrite replaces only a model folder "
                         "(config.json or last/, no other sub-folders): empty it yourself or "
                         "choose another folder")  # fmt: skip


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive, non-blocking flock on ``folder/.seqlab.lock``, released on exit or death."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    lock = folder / LOCK_FILE
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise ValueError(f"{folder} is being written by another run{_holder(lock)}; wait "
                             "for it to finish or choose another folder") from None  # fmt: skip
        # The file may have been removed (a run ending) between open and flock: then this lock
        # guards nothing, so take the lock on the file that is there now.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            if os.path.samestat(os.fstat(fd), os.stat(lock)):  # not another run's new lock file
                os.unlink(lock)
        os.close(fd)


def _holder(lock: Path) -> str:
    try:
        pid = lock.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
