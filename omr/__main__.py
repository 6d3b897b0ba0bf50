"""``python -m omr`` runs the command line."""

import sys

from omr.cli import main

sys.exit(main())
