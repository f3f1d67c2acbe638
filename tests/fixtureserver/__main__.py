"""``python -m tests.fixtureserver``: serve the fixture web standalone, or show where a URL is served from.

Standalone mode prints ``PORT <n>`` and serves until ``--lifetime`` seconds pass or
its parent process dies (it polls ``os.getppid()``), so it never outlives a test run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlsplit

from tests.fixtureserver.server import FixtureServer
from tests.fixtureserver.sites import find_dir


def _where(url: str) -> int:
    parts = urlsplit(url)
    path_qs = f"/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    found = find_dir(path_qs)
    print(found if found else f"(no fixture: default page 'Fixture: {parts.netloc}{parts.path or '/'}')")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fixtureserver")
    parser.add_argument("--lifetime", type=float, default=600.0)
    sub = parser.add_subparsers(dest="cmd")
    where = sub.add_parser("where", help="print the fixture directory for a URL")
    where.add_argument("url")
    args = parser.parse_args(argv)
    if args.cmd == "where":
        return _where(args.url)
    parent = os.getppid()
    with FixtureServer(max_lifetime=args.lifetime) as server:
        print(f"PORT {server.port}", flush=True)
        print(f"REMAP {server.remap}", flush=True)
        deadline = time.monotonic() + args.lifetime
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
