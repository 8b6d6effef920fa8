"""`python -m scanner_hub`: the same as the `scanner-hub` command."""

from scanner_hub.cli import main

raise SystemExit(main())
