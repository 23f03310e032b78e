"""The package imports and its quickstart example runs."""

import runpy
from pathlib import Path


def test_quickstart_runs(capsys):
    runpy.run_path(str(Path(__file__).parent.parent / "examples" / "quickstart.py"))
    assert "structurally equal" in capsys.readouterr().out
