"""irscript.cli: the `irscript` command line (print, check, to-json, from-json, run, show, stats).

    irscript print model.py                    # canonical script text
    irscript run examples/mlp.py --random-inputs --shape n=4

The console script `irscript` (pyproject: `irscript.cli:main`) and
`python -m irscript.cli` both call `main(argv) -> exit code`.

Design choices:

* argparse (the standard library) parses the command line, and rich (already
  a dependency, for diagnostics) draws tables, highlighting and the progress
  bar. argparse gives sub-commands, help text per command and the exit code 2
  for bad usage with no new dependency; click or typer would add one and offer
  nothing this small interface needs.
* Exit codes: 0 ok, 1 a problem in the user's input (a rendered diagnostic on
  standard error, at most 24 lines, never a Python traceback), 2 bad usage,
  3 an internal error (a bug; `--traceback` shows it).
* Inputs are read without running anything (`source`): script text, the
  decorated definition of a Python program, or JSON.

Modules: `app` (parser, commands, errors, exit codes), `source` (reading
inputs), `inputs` (arrays and random inputs for `run`), `running` (the `run`
command's call, summary and .npz output), `stats` (the `stats` command),
`progress` (the delayed progress bar), `output` (atomic writes).
"""

from irscript.cli.app import main

__all__ = ["main"]
