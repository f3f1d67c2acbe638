"""The fixture web on 127.0.0.1 for the crawler's tests (see README.md here)."""

from tests.fixtureserver.server import FixtureServer, RequestLog

__all__ = ["FixtureServer", "RequestLog"]
