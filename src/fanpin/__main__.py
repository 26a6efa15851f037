"""``python -m fanpin``."""

from fanpin.cli import main

main()
