"""`python -m fupin COMMAND …`: the management commands (demo, audit verify, migrate, …)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m fupin", *sys.argv[1:]])


if __name__ == "__main__":
    main()
