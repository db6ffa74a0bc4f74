"""Readers at the edges: a data file's bytes, its blocks, git.

Above the core; below loading, checks and the build."""
