"""The `irscript` command line: the argument parser, the commands and the exit codes.

    irscript print FILE [--syntax tvm-0.25] [-o OUT]     canonical script text
    irscript check FILE...                              parse + well-formedness, diagnostics
    irscript to-json FILE [-o OUT.json]                  versioned JSON
    irscript from-json IN.json [-o OUT]                  JSON back to script text
    irscript run FILE [--func main] [--input x.npy ...] [--random-inputs --shape n=8] [--save out.npz]
    irscript show FILE                                  highlighted script text
    irscript stats FILE [--json]                        functions, bindings, ops, node counts

FILE is a script, a Python program holding one decorated definition, or JSON
(`irscript.cli.source`); `-` reads standard input. Exit codes: 0 success, 1 a
problem in the user's input (the diagnostic goes to standard error, at most 24
lines, never a Python traceback), 2 bad usage (argparse's own convention), 3
an internal error (a bug: `--traceback` shows where), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from irscript.cli.inputs import MissingShape, parse_shape_spec
from irscript.cli.progress import Activity
from irscript.cli.source import Loaded, load
from irscript.errors import Error, ScriptError
from irscript.fileio import atomic_write

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "MAX_MESSAGE_LINES", "build_parser", "main"]

PROG = "irscript"
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
MAX_MESSAGE_LINES = 24
FILE_HELP = ("a script (.py/.txt), a Python program with one @I.ir_module / @T.prim_func / @R.function "
             "definition, or irscript JSON; - reads standard input")


class UsageError(Exception):
    """A command line that cannot be acted on (exit 2, with the command's usage)."""


class Context:
    """What the commands share: the console for results, the progress display, the options."""

    __slots__ = ("args", "console", "activity")

    def __init__(self, args: argparse.Namespace) -> None:
        from rich.console import Console

        self.args = args
        tty = sys.stdout.isatty()
        self.console = Console(file=sys.stdout, highlight=False, width=None if tty else 120)
        self.activity = Activity(self.console if tty else None)

    def load(self, path: str, *, force_json: bool = False) -> Loaded:
        with self.activity.phase(f"reading {'standard input' if path == '-' else path}"):
            return load(path, check=not getattr(self.args, "no_check", False), force_json=force_json)


# ---------------------------------------------------------------------------------------------
# output helpers
# ---------------------------------------------------------------------------------------------
def write_text(path: str | None, text: str) -> None:
    """`text` to standard output, or to `path` atomically (a failure leaves no partial file)."""
    if not text.endswith("\n"):
        text += "\n"
    if path is None or path == "-":
        sys.stdout.write(text)
    else:
        atomic_write(path, lambda f: f.write(text))


def _script_text(ctx: Context, node: Any) -> str:
    from irscript.printer import print_script

    args = ctx.args
    with ctx.activity.phase("printing"):
        return print_script(node, syntax=args.syntax, indent=args.indent, show_meta=not args.hide_meta)


def _describe(node: Any) -> str:
    from irscript.ir.module import IRModule

    if isinstance(node, IRModule):
        names = [gv.name_hint for gv in node.functions]
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        return f"IRModule with {len(names)} function{'s' if len(names) != 1 else ''} ({shown})"
    return getattr(type(node), "type_key", None) or type(node).__name__


# ---------------------------------------------------------------------------------------------
# the commands
# ---------------------------------------------------------------------------------------------
def cmd_print(ctx: Context) -> int:
    node = ctx.load(ctx.args.file).node
    write_text(ctx.args.output, _script_text(ctx, node))
    return EXIT_OK


def cmd_from_json(ctx: Context) -> int:
    node = ctx.load(ctx.args.file, force_json=True).node
    write_text(ctx.args.output, _script_text(ctx, node))
    return EXIT_OK


def cmd_to_json(ctx: Context) -> int:
    from irscript.ir.json import save_json, to_json

    args = ctx.args
    node = ctx.load(args.file).node
    with ctx.activity.phase("writing JSON"):
        if args.output is None or args.output == "-":
            write_text(None, to_json(node, indent=args.indent))
        else:
            save_json(node, args.output, indent=args.indent)
    return EXIT_OK


def cmd_check(ctx: Context) -> int:
    failed = 0
    for path in ctx.args.files:
        try:
            loaded = ctx.load(path)
        except Error as err:
            failed += 1
            report_error(err)
            continue
        if not ctx.args.quiet:
            ctx.console.print(f"[green]ok[/green]  {loaded.name}: {_describe(loaded.node)}")
    return EXIT_INPUT if failed else EXIT_OK


def cmd_show(ctx: Context) -> int:
    from rich.console import Console
    from rich.syntax import Syntax

    node = ctx.load(ctx.args.file).node
    text = _script_text(ctx, node)
    if ctx.args.color or sys.stdout.isatty():
        console = ctx.console if sys.stdout.isatty() else Console(file=sys.stdout, force_terminal=True,
                                                                  highlight=False)
        # soft_wrap: long lines go to the terminal whole (rich would crop them at its width)
        console.print(Syntax(text, "python", background_color="default", word_wrap=False), soft_wrap=True)
    else:
        write_text(None, text)
    return EXIT_OK


def cmd_stats(ctx: Context) -> int:
    from irscript.cli.stats import module_stats, render_stats

    loaded = ctx.load(ctx.args.file)
    with ctx.activity.phase("counting"):
        stats = module_stats(loaded.node)
    if ctx.args.json:
        write_text(None, json.dumps(stats, indent=2))
    else:
        for item in render_stats(loaded.name, stats):
            ctx.console.print(item)
    return EXIT_OK


def cmd_run(ctx: Context) -> int:
    from irscript.cli.running import as_module, execute, prepare, save_npz, summary

    args = ctx.args
    if args.shape and not args.random_inputs:
        raise UsageError("--shape sets the symbolic dims of random inputs: add --random-inputs")
    shapes: dict[str, int] = {}
    for spec in args.shape:
        shapes.update(spec)
    loaded = ctx.load(args.file)
    mod = as_module(loaded.node, loaded.name)
    try:
        name, func, call_args = prepare(mod, args.func, args.input, args.random_inputs, shapes, args.seed)
    except MissingShape as m:
        given = ", ".join(f"{n}=INT" for n in m.names)
        raise UsageError(f"the shape of input `{m.param}` uses {', '.join(m.names)}: pass --shape {given}") from None
    with ctx.activity.phase(f"running {name}"):
        outcome = execute(mod, name, func, call_args)
    for item in summary(outcome):
        ctx.console.print(item)
    if args.save:
        save_npz(args.save, outcome.outputs)
        ctx.console.print(f"saved {len(outcome.outputs)} output{'s' if len(outcome.outputs) != 1 else ''} "
                          f"to {args.save}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# the parser
# ---------------------------------------------------------------------------------------------
def _shape_arg(text: str) -> dict[str, int]:
    try:
        return parse_shape_spec(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"bad --shape {text!r}: {e}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _add_print_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--syntax", choices=("classic", "tvm-0.25"), default="classic",
                   help="spelling of the printed script: classic (default) or what Apache TVM 0.25 parses")
    p.add_argument("--indent", type=_positive, default=4, metavar="N", help="spaces per level (default 4)")
    p.add_argument("--hide-meta", action="store_true",
                   help="leave out the metadata section of large constants (display only: does not parse back)")


def _add_no_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-check", action="store_true", help="skip the well-formedness check of the input")


def _command(sub: Any, name: str, fn: Any, help: str, description: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help, description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=fn, command_parser=p)
    return p


def _print_command(sub: Any) -> None:
    p = _command(sub, "print", cmd_print, "print FILE as canonical script text",
                 "Print FILE as canonical script text (parse(print(m)) == m).\n\n"
                 "  irscript print model.py\n  irscript print model.json --syntax tvm-0.25 -o model_tvm.py")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT (atomically) instead of standard output")
    _add_print_options(p)
    _add_no_check(p)


def _check_command(sub: Any) -> None:
    p = _command(sub, "check", cmd_check, "parse and check files; diagnostics on errors",
                 "Parse each FILE and check that its IR is well-formed. Problems are printed as located\n"
                 "diagnostics on standard error; the exit code is 1 if any file has one.\n\n"
                 "  irscript check model.py kernels/*.py")
    p.add_argument("files", metavar="FILE", nargs="+", help=FILE_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing for files without problems")


def _to_json_command(sub: Any) -> None:
    p = _command(sub, "to-json", cmd_to_json, "save FILE as irscript JSON",
                 "Save FILE as versioned irscript JSON (docs/json-format.md). With -o the file is\n"
                 "written atomically: a failure never leaves a partial file.\n\n"
                 "  irscript to-json model.py -o model.json")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("-o", "--output", metavar="OUT.json", help="write to OUT.json instead of standard output")
    p.add_argument("--indent", type=_positive, default=None, metavar="N", help="pretty-print with N spaces")
    _add_no_check(p)


def _from_json_command(sub: Any) -> None:
    p = _command(sub, "from-json", cmd_from_json, "print an irscript JSON file as script text",
                 "Load irscript JSON and print it as script text.\n\n"
                 "  irscript from-json model.json -o model.py")
    p.add_argument("file", metavar="IN.json", help="irscript JSON; - reads standard input")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT (atomically) instead of standard output")
    _add_print_options(p)
    _add_no_check(p)


def _run_command(sub: Any) -> None:
    p = _command(sub, "run", cmd_run, "run a function in the reference interpreter",
                 "Run one function of FILE in the reference interpreter and summarize the result\n"
                 "(shape, dtype, a few values, time taken). Inputs come from .npy/.npz files (--input),\n"
                 "in parameter order; with --random-inputs the remaining parameters get random values\n"
                 "made from their declared types, symbolic dims taken from --shape.\n\n"
                 "  irscript run model.py --input x.npy w.npy\n"
                 "  irscript run examples/mlp.py --random-inputs --shape n=4 --save out.npz")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("--func", metavar="NAME", help="the function to run (default: main, or the only function)")
    p.add_argument("--input", metavar="FILE.npy", action="extend", nargs="+", default=[],
                   help="input arrays, in parameter order (.npy: one array; .npz: all its arrays in order)")
    p.add_argument("--random-inputs", action="store_true", help="fill the remaining parameters with random values")
    p.add_argument("--shape", metavar="NAME=INT", action="append", type=_shape_arg, default=[],
                   help="value of a symbolic dim for random inputs (repeat, or n=8,m=4)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--save", metavar="OUT.npz", help="save the outputs to OUT.npz")
    _add_no_check(p)


def _show_command(sub: Any) -> None:
    p = _command(sub, "show", cmd_show, "show FILE as highlighted script text",
                 "Show FILE as script text with syntax highlighting (plain text when piped).\n\n"
                 "  irscript show model.json")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("--color", action="store_true", help="highlight even when the output is not a terminal")
    _add_print_options(p)
    _add_no_check(p)


def _stats_command(sub: Any) -> None:
    p = _command(sub, "stats", cmd_stats, "count functions, bindings, ops and nodes",
                 "Summarize FILE: its functions (kind, name, parameters, bindings, nodes), the ops it\n"
                 "uses with their counts, and its nodes counted by type key.\n\n"
                 "  irscript stats model.py --json")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    _add_no_check(p)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `irscript` (one sub-parser per command, each with its help)."""
    from irscript import __version__

    ap = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Parse, check, print, convert and run irscript modules (TVMScript-style IR).",
        epilog="FILE is " + FILE_HELP + ".\nExit codes: 0 ok, 1 a problem in the input, 2 bad usage, "
               "3 internal error.\nRun `irscript COMMAND --help` for the options of a command.")
    ap.add_argument("--version", action="version", version=f"irscript {__version__}")
    ap.add_argument("--traceback", action="store_true", help="show the Python traceback of an internal error")
    sub = ap.add_subparsers(title="commands", dest="command", metavar="COMMAND", required=True)
    _print_command(sub)
    _check_command(sub)
    _to_json_command(sub)
    _from_json_command(sub)
    _run_command(sub)
    _show_command(sub)
    _stats_command(sub)
    return ap


# ---------------------------------------------------------------------------------------------
# errors and the entry point
# ---------------------------------------------------------------------------------------------
def clip(text: str, limit: int = MAX_MESSAGE_LINES) -> str:
    """At most `limit` lines: the rest is replaced by a line saying how many were left out."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join(lines[:limit - 1] + [f"... ({len(lines) - limit + 1} more lines)"])


def format_error(err: Error, color: bool = False) -> str:
    """The diagnostic of a user-input error: a ScriptError with its source span underlined, any
    other irscript error as `error: message` with its JSON or IR path."""
    from irscript.doc.diagnostics import format_diagnostic, render_error
    from irscript.errors import JSONFormatError

    if isinstance(err, ScriptError):
        return render_error(err, color=color).lstrip("\n")
    first, _, rest = err.message.partition("\n")
    where = ""
    if isinstance(err, JSONFormatError):
        if err.path and not str(err.path).startswith("<"):  # not a pseudo-path such as <text>
            where = f"\n  --> at JSON path {err.path}"
    elif err.path is not None:
        where = f"\n  --> at IR path {err.path}"
    message = first + where + (f"\n{rest}" if rest else "")
    notes = "".join(f"\n  = note: {n}" for n in getattr(err, "__notes__", ()))
    return format_diagnostic(None, message, color=color) + notes


def report_error(err: Error) -> None:
    sys.stderr.write(clip(format_error(err, color=sys.stderr.isatty())) + "\n")


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    sys.stderr.write(f"{parser.prog}: error: {message}\n")
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported with the command's own usage line
            args.command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as e:  # --help, --version, or bad usage (argparse printed the message)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    ctx = Context(args)
    try:
        return args.handler(ctx)
    except UsageError as e:
        return _usage_error(args.command_parser, str(e))
    except Error as e:
        report_error(e)
        return EXIT_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`irscript print big.json | head`)
        _silence_stdout()
        return EXIT_OK
    except RecursionError:
        sys.stderr.write("error: the input is nested too deeply for irscript to process\n")
        return EXIT_INPUT
    except Exception as e:
        if args.traceback:
            traceback.print_exc()
        sys.stderr.write(clip(f"irscript: internal error: {type(e).__name__}: {e}\n"
                              "This is a bug in irscript. Run again with --traceback to see where it happened, "
                              "and please report it.") + "\n")
        return EXIT_INTERNAL
    finally:
        ctx.activity.close()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
