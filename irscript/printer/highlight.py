"""Showing script text: highlighted with rich in a terminal, plain text otherwise."""

from __future__ import annotations

import sys
from typing import IO


def print_highlighted(text: str, file: IO[str] | None = None) -> None:
    """Print `text` (Python-like script) to `file` (stdout), with syntax colours on a terminal."""
    out = file if file is not None else sys.stdout
    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        try:
            from rich.console import Console
            from rich.syntax import Syntax
        except ImportError:  # rich is optional for plain printing
            pass
        else:
            # soft_wrap: long lines go to the terminal whole (it wraps them), never cropped
            syntax = Syntax(text, "python", background_color="default", word_wrap=False)
            Console(file=out).print(syntax, soft_wrap=True)
            return
    print(text, file=out)


__all__ = ["print_highlighted"]
