"""`python -m irscript.cli ...`: the same as the `irscript` console script."""

import sys

from irscript.cli.app import main

sys.exit(main())
