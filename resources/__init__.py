"""Installed as the package `familydoc_resources` (see pyproject.toml): data files only."""
