"""A progress display for slow work: a transient rich progress bar that appears only when the work
has taken longer than about a second and standard output is a terminal.

    activity = Activity(console)              # console=None (output piped): nothing is ever drawn
    with activity.phase("parsing model.py"):
        ...
    activity.close()

The work itself (parsing, interpreting) reports no fraction done, so the bar
pulses and the elapsed time counts. It is started by a timer thread after
`delay` seconds, renamed at each phase, and erased when the work ends, so the
command's own output follows as if it had never been there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["DELAY", "Activity"]

DELAY = 1.0  # seconds of work before the bar appears


class Activity:
    """The progress display of one command (see the module doc)."""

    __slots__ = ("console", "delay", "_lock", "_timer", "_progress", "_task", "_description", "shown")

    def __init__(self, console: Any | None, delay: float | None = None) -> None:
        self.console = console
        self.delay = DELAY if delay is None else delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._progress: Any = None
        self._task: Any = None
        self._description = ""
        self.shown = False  # whether the bar was ever drawn (tests)

    @contextmanager
    def phase(self, description: str) -> Iterator[None]:
        """Run the body as the phase `description`; the bar shows after `delay` seconds in it."""
        if self.console is None:
            yield
            return
        with self._lock:
            self._description = description
            if self._progress is not None:
                self._progress.update(self._task, description=description)
                self._progress.start()
            else:
                self._timer = threading.Timer(self.delay, self._start)
                self._timer.daemon = True
                self._timer.start()
        try:
            yield
        finally:
            self._pause()

    def _start(self) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._timer is None:  # the phase ended meanwhile
                return
            self._timer = None
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      TimeElapsedColumn(), console=self.console, transient=True)
            self._task = self._progress.add_task(self._description, total=None)
            self._progress.start()
            self.shown = True

    def _pause(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._progress is not None:
                self._progress.stop()

    def close(self) -> None:
        """Stop for good (the bar, if drawn, is already erased)."""
        self._pause()
        self._progress = None
