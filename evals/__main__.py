"""Print the files of the labelled sets, one a line: ``python -m evals [fitted|read|unread]...``.

for f in $(.venv/bin/python -m evals unread); do .venv/bin/tourbot eval "$f"; done
"""

from __future__ import annotations

import sys
from pathlib import Path

from evals import STATUSES, sets


def main(argv: list[str]) -> int:
    unknown = [a for a in argv if a not in STATUSES]
    if unknown:
        print(f"usage: python -m evals [{'|'.join(STATUSES)}]...", file=sys.stderr)
        return 2
    here = Path.cwd()
    for entry in sets(*argv):
        print(entry.file.relative_to(here) if entry.file.is_relative_to(here) else entry.file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
