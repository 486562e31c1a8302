"""``python -m cscbench.cli``."""

from cscbench.cli import main

main()
