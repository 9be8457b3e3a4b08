"""``python -m spbe_crawler ...`` is the ``spbe`` command."""

from spbe_crawler.cli import main

main()
