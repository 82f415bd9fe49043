"""``python -m forecasting`` runs the command line."""

import sys

from forecasting.cli import main

if __name__ == "__main__":
    sys.exit(main())
