"""The benchmarks' web: nginx from Debian on 10 loopback addresses, one small page for every path.

Shared by ``bench/crawl.py`` and ``bench/scale.py``.  Host ``n`` is 127.0.0.{n+2}: ten
distinct hosts to a crawler, and clients without keep-alive (one connection per link) get
ten times the ephemeral ports of a single address.  The config lives in a temp dir and
nginx runs in the foreground (``daemon off``) as a child that :func:`serve` stops.
``wrk`` (when installed) measures it first, so it is shown not to be the bottleneck.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOSTS = 10

_CONF = """
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000;
    default_type text/html;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{
        {listens}
        add_header LinkChecker bench;
        location / {{ return 200 '<!doctype html><html><head><title>bench page</title></head><body><p>ok</p></body></html>'; }}
    }}
}}
"""


def address(n: int) -> str:
    """The loopback address of bench host ``n`` (0-based)."""
    return f"127.0.0.{n + 2}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(tmp: Path, *, workers: int = 2) -> Iterator[int]:
    """Run nginx on every bench address; yields the port, stops nginx on exit.

    The ``LinkChecker`` response header lifts LinkChecker's own per-host rate limit (its
    docs require it above 10 requests/s).
    """
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    listens = " ".join(f"listen {address(n)}:{port};" for n in range(HOSTS))
    (tmp / "nginx.conf").write_text(_CONF.format(tmp=tmp, workers=workers, listens=listens), encoding="utf-8")
    server = subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)])
    try:
        time.sleep(0.5)
        if shutil.which("wrk"):
            out = subprocess.run(["wrk", f"-t{workers}", "-c64", "-d3s", f"http://{address(0)}:{port}/x"],
                                 capture_output=True, text=True, check=False).stdout
            rps = [line.split()[-1] for line in out.splitlines() if "Requests/sec" in line]
            print(f"server: nginx, {workers} worker(s); wrk -t{workers} -c64: {rps[0] if rps else '?'} requests/s",
                  flush=True)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
