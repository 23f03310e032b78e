"""The IRBuilder core: a builder that holds a stack of frames, and the frame protocol.

Building IR is entering frames with `with`::

    with IRBuilder() as ib:
        with T.prim_func():
            ...
    func = ib.get()

`IRBuilder.current()` is the innermost active builder (per thread). A frame's
`__enter__` checks where it is opened, pushes it and returns the frame's
value (a loop var, a buffer, the frame itself); its `__exit__` pops it and,
only when no exception is in flight, finalises its IR node and hands it to
the enclosing frame — or, for a top-level frame, makes it the builder's
result. Misuse (a frame closed twice, out of order, a statement with nowhere
to go) raises IRError with a one-line message.

The dialect builders (`irbuilder.ir`, `irbuilder.tir`, `irbuilder.relax`) are
module-level functions that consult the current builder. This module knows
no dialect: dialects register how to name their values (`register_namer`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from irscript.errors import IRError
from irscript.ir.node import IGNORE, Node
from irscript.ir.span import Span, current_span, set_current_span

F = TypeVar("F", bound="IRBuilderFrame")

_NEW, _OPEN, _CLOSED = 0, 1, 2


class _BuilderStack(threading.local):
    def __init__(self) -> None:
        self.builders: list[IRBuilder] = []


_STACK = _BuilderStack()


class IRBuilder:
    """A stack of open frames and, once the outermost frame has closed, the built result."""

    __slots__ = ("frames", "_result", "_has_result")

    def __init__(self) -> None:
        self.frames: list[IRBuilderFrame] = []
        self._result: Any = None
        self._has_result = False

    # activation ---------------------------------------------------------------------------
    def __enter__(self) -> IRBuilder:
        _STACK.builders.append(self)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        builders = _STACK.builders
        if builders and builders[-1] is self:
            builders.pop()
        elif self in builders:
            builders.remove(self)
        return False

    @staticmethod
    def current() -> IRBuilder:
        """The innermost active builder; IRError if there is none."""
        builders = _STACK.builders
        if not builders:
            raise IRError("no IRBuilder is active: build IR inside `with IRBuilder() as ib:`")
        return builders[-1]

    @staticmethod
    def is_in_scope() -> bool:
        """Whether some IRBuilder is active."""
        return bool(_STACK.builders)

    # result -------------------------------------------------------------------------------
    def get(self) -> Any:
        """The finished result: an IRModule, PrimFunc or Relax Function."""
        if self.frames:
            open_kinds = ", ".join(f.kind for f in self.frames)
            raise IRError(f"IRBuilder.get(): the builder has not finished; frames still open: {open_kinds}")
        if not self._has_result:
            raise IRError("IRBuilder.get(): nothing was built")
        return self._result

    def set_result(self, value: Any) -> None:
        """Record the result of a top-level frame (called by frames on exit)."""
        if self._has_result:
            raise IRError("the IRBuilder already holds a result; use one IRBuilder per top-level function or module")
        self._result = value
        self._has_result = True

    # frame queries ------------------------------------------------------------------------
    def last_frame(self, cls: type[F] | tuple[type, ...] | None = None) -> Any:
        """The innermost open frame if it is an instance of `cls` (any frame if None), else None."""
        if not self.frames:
            return None
        top = self.frames[-1]
        if cls is None or isinstance(top, cls):
            return top
        return None

    def find_frame(self, cls: type[F] | tuple[type, ...]) -> Any:
        """The innermost open frame that is an instance of `cls`, or None."""
        for frame in reversed(self.frames):
            if isinstance(frame, cls):
                return frame
        return None

    # naming -------------------------------------------------------------------------------
    @staticmethod
    def name(name: str, value: Any) -> Any:
        """Give a freshly built value (a var, a buffer, ...) the display name `name`; returns it.

        Only name hints change: they are display-only fields that equality,
        hashing and JSON identity ignore. As in TVM, the parser calls this
        right after it binds a newly created value to a script name.
        """
        if not isinstance(name, str):
            raise IRError(f"IRBuilder.name: the name must be a str, got {type(name).__name__}")
        for klass in type(value).__mro__:
            namer = _NAMERS.get(klass)
            if namer is not None:
                namer(value, name)
                break
        return value

    @staticmethod
    def name_many(names: list[str] | tuple[str, ...], values: list[Any] | tuple[Any, ...]) -> list[Any]:
        """`IRBuilder.name` pairwise; the lists must have the same length."""
        if len(names) != len(values):
            raise IRError(f"IRBuilder.name_many: {len(names)} names for {len(values)} values")
        return [IRBuilder.name(n, v) for n, v in zip(names, values)]


_NAMERS: dict[type, Callable[[Any, str], None]] = {}


def register_namer(cls: type) -> Callable[[Callable[[Any, str], None]], Callable[[Any, str], None]]:
    """Register how `IRBuilder.name` names values of `cls` (dialects call this)."""

    def deco(fn: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
        _NAMERS[cls] = fn
        return fn

    return deco


def set_name_field(node: Node, field_name: str, value: str) -> None:
    """Set a display-name field of a node in place. Only fields with role IGNORE qualify."""
    for f in type(node)._fields:
        if f.name == field_name:
            if f.role is not IGNORE:
                raise IRError(f"{node.type_key}.{field_name} is not a display-only field")
            object.__setattr__(node, field_name, value)
            return
    raise IRError(f"{node.type_key} has no field {field_name!r}")


class IRBuilderFrame:
    """Base class of builder frames: `with frame:` enters it once and closes it once.

    Subclasses override `on_enter(builder)` (checks and setup, run before the
    frame is pushed), `enter_value()` (what `with ... as x` binds; the frame by
    default), `on_exit(builder)` (finalise the node; run after the frame is
    popped, only when no exception is in flight) and `on_abort(builder)` (undo
    shared state when an exception leaves the frame). `kind` names the frame in
    messages, e.g. "T.block".
    """

    __slots__ = ("_state", "_builder", "_span")
    kind: ClassVar[str] = "frame"

    def __init__(self) -> None:
        self._state = _NEW
        self._builder: IRBuilder | None = None
        self._span: Span | None = None

    @property
    def builder(self) -> IRBuilder:
        if self._builder is None:
            raise IRError(f"the {self.kind} frame has not been entered")
        return self._builder

    @property
    def is_open(self) -> bool:
        return self._state == _OPEN

    def __enter__(self) -> Any:
        if self._state != _NEW:
            raise IRError(f"the {self.kind} frame was already entered; each frame is entered once")
        builder = IRBuilder.current()
        self._builder = builder
        self._span = current_span()
        self.on_enter(builder)
        builder.frames.append(self)
        self._state = _OPEN
        return self.enter_value()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if self._state == _CLOSED:
            raise IRError(f"the {self.kind} frame was already closed; each frame is closed once")
        if self._state == _NEW:
            raise IRError(f"the {self.kind} frame was closed without being entered")
        builder = self.builder
        frames = builder.frames
        if frames and frames[-1] is self:
            frames.pop()
        elif exc_type is None:
            top = frames[-1].kind if frames else "nothing"
            raise IRError(f"frames must close innermost first: closing {self.kind} while {top} is still open")
        else:  # unwinding after an error: drop this frame and anything left above it
            for i in range(len(frames) - 1, -1, -1):
                if frames[i] is self:
                    del frames[i:]
                    break
        self._state = _CLOSED
        if exc_type is not None:
            self.on_abort(builder)
            return False
        # what the frame builds now is located at the frame's own statement, not at the last
        # statement of its body
        outer = set_current_span(self._span)
        try:
            self.on_exit(builder)
        except BaseException:
            self.on_abort(builder)
            raise
        finally:
            set_current_span(outer)
        return False

    def on_enter(self, builder: IRBuilder) -> None:
        """Check where the frame is opened and set it up (before it is pushed)."""

    def enter_value(self) -> Any:
        """The value `with frame as x` binds."""
        return self

    def on_exit(self, builder: IRBuilder) -> None:
        """Finalise the frame's node and hand it on (after it is popped)."""

    def on_abort(self, builder: IRBuilder) -> None:
        """Undo the frame's setup when it is left by an exception (must not raise)."""

    def __repr__(self) -> str:
        state = ("new", "open", "closed")[self._state]
        return f"<{self.kind} frame ({state})>"


def current_frames() -> list[IRBuilderFrame]:
    """The open frames of the current builder, outermost first."""
    return IRBuilder.current().frames


__all__ = ["IRBuilder", "IRBuilderFrame", "current_frames", "register_namer", "set_name_field"]
