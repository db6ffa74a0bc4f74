"""A git-native open data catalog for government."""

__version__ = "0.1.0"
