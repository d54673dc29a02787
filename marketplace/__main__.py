"""`python -m marketplace ...`: the operator command line."""

from marketplace.cli import main

raise SystemExit(main())
