"""Jinja2 templates of the reports (a package only so that setuptools ships the *.j2 files)."""
