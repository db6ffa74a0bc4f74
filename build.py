"""Shim: ``python build.py [ARGS]`` is ``catalog build [ARGS]``."""

import sys

from catalog.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
