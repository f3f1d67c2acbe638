"""Small helpers the spider uses around adapters: never let one adapter stop the crawl."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from crawler.adapters.base import Adapter

logger = logging.getLogger(__name__)


def optional_adapter(name: str) -> Any:
    """An adapter module that is not picked per URL (wayback, semanticscholar), if present."""
    try:
        return importlib.import_module(f"crawler.adapters.{name}").ADAPTER
    except (ModuleNotFoundError, AttributeError):
        return None


def batch_key(adapter: Adapter, url: str) -> str | None:
    fn = getattr(adapter, "batch_key", None)
    if fn is None or not hasattr(adapter, "batch_request"):
        return None
    return safe(lambda: fn(url), None)


def safe(fn: Any, default: Any) -> Any:
    """Call an adapter function; a bug in one adapter must not stop the crawl."""
    try:
        return fn()
    except Exception:  # noqa: BLE001
        logger.exception("adapter failed")
        return default
