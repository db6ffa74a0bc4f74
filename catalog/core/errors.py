"""The catalog's exceptions share one base, so the command line can turn any of them into a
clean message at its boundary (no traceback reaches a user)."""

from __future__ import annotations


class CatalogError(Exception):
    """Something the person running the command can act on; the message says what."""
