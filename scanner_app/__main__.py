"""`python -m scanner_app` runs the same CLI as the `scanner-app` console script."""

from scanner_app.cli import main

raise SystemExit(main())
