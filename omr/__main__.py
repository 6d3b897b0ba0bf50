"""``python -m omr`` runs the command line."""

import sys

from omr.cli.main import main

sys.exit(main())
