"""Entry point for ``python -m prep_agent``."""

import sys

from prep_agent.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
