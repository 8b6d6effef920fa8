"""python -m scanner_issuer"""

import sys

from scanner_issuer.cli import main

if __name__ == "__main__":  # spawned render workers import this module too
    sys.exit(main())
