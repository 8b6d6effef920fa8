"""python -m scanner_issuer"""

import sys

from scanner_issuer.cli import main

sys.exit(main())
