"""Atomic file writing for every output irscript produces (JSON, CLI outputs): the data goes to a temporary file next to the target, which
then replaces the target in one step, so a failure (or an interrupt) never leaves a partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import IO, Any

from irscript.errors import Error

__all__ = ["atomic_write"]


def atomic_write(path: str, write: Callable[[IO[Any]], None], *, binary: bool = False) -> None:
    """Call `write(file)` on a temporary file and move it to `path`; OSErrors become irscript
    Errors ("cannot write PATH: reason")."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".irscript-", suffix=".tmp", dir=directory)
    except OSError as e:
        raise Error(f"cannot write {target}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as f:
            write(f)
        os.chmod(tmp, _file_mode(target))  # mkstemp makes the file private (0600)
        os.replace(tmp, target)
    except OSError as e:
        _discard(tmp)
        raise Error(f"cannot write {target}: {e.strerror or e}") from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    if os.path.exists(tmp):
        os.unlink(tmp)


def _file_mode(target: str) -> int:
    """The mode of the file being replaced, else 0666 minus the umask."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask
