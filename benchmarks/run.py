"""Run every benchmark module and print one table.

    python -m benchmarks [--quick | --scale S] [--repeat N] [name ...]

`name` filters modules by substring (`ir` runs bench_ir). A module takes part
when it defines `run(scale: float, repeat: int) -> list[Row]` (or
`run(scale)`); modules without `run` are listed as skipped.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import Row

HERE = Path(__file__).resolve().parent


def discover(filters: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    return [n for n in names if not filters or any(f in n for f in filters)]


def _format(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:,.1f}"
    if unit == "MB":
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def render(results: list[tuple[str, Row]], skipped: list[str], header: str) -> Table:
    table = Table(title=header, title_justify="left")
    for col, justify in (("figure", "left"), ("value", "right"), ("unit", "left"),
                         ("baseline (same run)", "left"), ("ratio", "right")):
        table.add_column(col, justify=justify, no_wrap=col != "figure")
    current = None
    for module, row in results:
        if module != current:
            if current is not None:
                table.add_section()
            table.add_row(f"[bold]{module}[/bold]", "", "", "", "")
            current = module
        base = "" if row.baseline_value is None else f"{row.baseline} = {_format(row.baseline_value, row.unit)}"
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        table.add_row(f"  {row.figure}", _format(row.value, row.unit), row.unit, base or row.baseline, ratio)
    for module in skipped:
        table.add_section()
        table.add_row(f"[bold]{module}[/bold] [dim]skipped: no run(scale) function[/dim]", "", "", "", "")
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the irscript benchmarks.")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="run at 1/10 size")
    size.add_argument("--scale", type=float, default=None, metavar="S",
                      help="run at size S (1.0 is the full size; small values are a smoke test)")
    ap.add_argument("--repeat", type=int, default=3, help="timing repeats (best is kept)")
    ap.add_argument("names", nargs="*", help="only modules whose name contains one of these")
    args = ap.parse_args(argv)
    scale = args.scale if args.scale is not None else 0.1 if args.quick else 1.0
    if scale <= 0:
        ap.error(f"--scale must be > 0, got {scale:g}")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    results: list[tuple[str, Row]] = []
    skipped: list[str] = []
    console = Console(width=None if sys.stdout.isatty() else 120)
    start = time.perf_counter()
    for name in discover(args.names):
        module = importlib.import_module(f"benchmarks.{name}")
        run = getattr(module, "run", None)
        if run is None:
            skipped.append(name)
            continue
        with console.status(f"running {name} ..."):
            params = inspect.signature(run).parameters
            rows = run(scale, args.repeat) if "repeat" in params else run(scale)
        results.extend((name, row) for row in rows)
    header = (f"irscript benchmarks (scale {scale:g}, best of {args.repeat}, "
              f"{time.perf_counter() - start:.0f} s, Python {sys.version.split()[0]})")
    console.print(render(results, skipped, header))
    return 0
