"""trilha: a knowledge-graph and link-health crawler for curated study lists."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
