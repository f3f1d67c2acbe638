"""Benchmark: crawl 20,000 links over 10 loopback hosts (run by hand, not in CI).

    .venv/bin/python bench/crawl.py                       # trilha, --workers 1 and 2
    .venv/bin/python bench/crawl.py --linkchecker --linkinator --mlc   # also LinkChecker (pip), linkinator
                                                                       # and markdown-link-check (npm)
    .venv/bin/python bench/crawl.py --processes "" --scrapy      # only a bare Scrapy spider
    .venv/bin/python bench/crawl.py --engine twisted             # trilha on Scrapy's Twisted HTTP client

A fast local server (nginx from Debian, 2 workers, a fixed ~200-byte HTML page for every
path; ``wrk`` measures it first so it is shown not to be the bottleneck) answers for 10
hosts ``host0.bench.test`` … ``host9.bench.test``, each on its own loopback address
(127.0.0.2 … 127.0.0.11, see :func:`address`): trilha reaches them through its own
``--remap`` (one rule per host; the host stays in the path), so politeness is lifted only
because the location is loopback.  The list is a Markdown file of ``--links`` links in sections.

Measured per run: wall seconds of the whole command (reading the list, storing it,
crawling, storing every check), links/s = links / wall, CPU seconds of the command and
its worker processes, and memory: the peak of the SUM of the resident sets of the
command and all its child processes (sampled every 100 ms with psutil; PSS, which
splits shared pages between the processes mapping them, and RSS), and the largest
single process (``ru_maxrss`` from ``os.wait4``).  ``--processes 2`` runs
``trilha crawl --workers 2``: the list is read and stored once, then two crawler
processes share the crawl (whole hosts each) into the same SQLite store.  LinkChecker
(``pip install linkchecker`` into a throwaway venv) checks the same URLs, given as an
HTML page of links (LinkChecker has no remap, so the URLs point at the server directly),
at the same thread count, with its per-host rate limit lifted (the server sends the
``LinkChecker`` header its docs require above 10 requests/s).  linkinator (``npm install
linkinator`` into a throwaway directory, Node's own ``node``) checks the same HTML page
of direct URLs with ``--concurrency`` equal to trilha's.  markdown-link-check (``npm install
markdown-link-check``) checks a Markdown list of the same direct URLs, at its own fixed
concurrency of 2 (not configurable).
``--db-dir /dev/shm`` keeps the store off the disk (a loaded shared disk can dominate).
Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from loopweb import HOSTS, address, serve

ROOT = Path(__file__).resolve().parent.parent
def direct_url(url: str, port: int) -> str:
    """The bench URL as a client without remap must request it."""
    host = url.split("://", 1)[1].split("/", 1)[0]
    n = int(host.split(".", 1)[0].removeprefix("host"))
    return url.replace("https://", f"http://{address(n)}:{port}/", 1)


def write_list(path: Path, links: int) -> list[str]:
    urls = [f"https://host{n % HOSTS}.bench.test/page/{n}" for n in range(links)]
    lines = ["# Bench list", ""]
    for i, url in enumerate(urls):
        if i % 100 == 0:
            lines += ["", f"## Section {i // 100}", ""]
        lines.append(f"- [Page {i}]({url})")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return urls


CPU: list[float] = []   # CPU seconds (user + system) of every process of the last run_measured
TREE_PEAK: list[float] = [0.0, 0.0]   # peak MB of the sum of RSS, and of PSS, over the process tree (last run)


def wait_for_closed_sockets(limit: int = 2000, patience: float = 120.0) -> None:
    """Wait until few loopback sockets are in TIME_WAIT: a client without keep-alive leaves
    one per link, and 20,000 of them from the previous tool would exhaust the ephemeral
    ports of the next (connections then fail as "broken")."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
        except OSError:
            return
        if sum(1 for row in rows if row.split()[3] == "06") < limit:
            return
        time.sleep(2)


def _running(pid: int) -> bool:
    """Still running (without reaping it: ``os.wait4`` reads its usage afterwards)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


def _tree_memory_mb(pids: list[int]) -> tuple[float, float]:
    """(sum of RSS, sum of PSS) in MB over these processes and all their descendants.

    RSS counts every shared page (the Python binary, shared libraries) once per process;
    PSS splits each shared page between the processes that map it, so the PSS sum is the
    memory the whole tree really takes.  Both are shown.
    """
    try:
        import psutil
    except ImportError:
        return 0.0, 0.0
    rss = pss = 0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    full = p.memory_full_info()
                    rss += full.rss
                    pss += getattr(full, "pss", full.rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
    return rss / 1024 / 1024, pss / 1024 / 1024


def run_measured(cmds: list[list[str]], env: dict[str, str], tmp: Path,
                 stdout: Path | None = None) -> tuple[float, float, list[int]]:
    """Run commands at once; (wall seconds, peak RSS MB of the largest one, exit codes).

    Each child is reaped with ``os.wait4`` so its own ``ru_maxrss`` is read (not the
    cumulative maximum of every child so far); its CPU seconds go to ``CPU`` (on a shared,
    loaded machine the CPU time is the steadier figure).
    """
    CPU.clear()
    start = time.monotonic()
    logs = [tmp / f"stderr-{i}.txt" for i in range(len(cmds))]
    procs = []
    for cmd, log in zip(cmds, logs, strict=True):
        with log.open("w") as err:
            out = stdout.open("w") if stdout is not None else subprocess.DEVNULL
            procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err))
    TREE_PEAK[:] = [0.0, 0.0]
    while any(_running(p.pid) for p in procs):
        rss, pss = _tree_memory_mb([p.pid for p in procs if _running(p.pid)])
        TREE_PEAK[:] = [max(TREE_PEAK[0], rss), max(TREE_PEAK[1], pss)]
        time.sleep(0.1)
    codes, peaks = [], []
    for proc, log in zip(procs, logs, strict=True):
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        codes.append(proc.returncode)
        peaks.append(usage.ru_maxrss / 1024)
        CPU.append(usage.ru_utime + usage.ru_stime)
        if proc.returncode not in (0, 1):
            print(log.read_text()[-2000:], file=sys.stderr)
    return time.monotonic() - start, max(peaks), codes


def trilha(list_path: Path, port: int, tmp: Path, processes: int, concurrency: int,
           engine: str, db_dir: Path) -> tuple[float, float]:
    """One ``trilha crawl --workers N`` (politeness lifted for the loopback bench hosts only)."""
    env = {**os.environ, "TRILHA_DELAY": "0", "TRILHA_WAYBACK": "0", "TRILHA_ENRICH": "0",
           "TRILHA_CONCURRENCY": str(concurrency), "TRILHA_PER_HOST_CONCURRENCY": str(concurrency),
           "TRILHA_BATCH_SIZE": "500", "TRILHA_AUTOTHROTTLE": "0", "TRILHA_RETRIES": "0",
           "TRILHA_HTTP_ENGINE": engine}
    remaps = [rf"^https?://(host{n}\.bench\.test)/(.*)$ http://{address(n)}:{port}/\1/\2" for n in range(HOSTS)]
    db = db_dir / f"trilha-bench-{processes}-{time.monotonic_ns()}.sqlite3"
    cmd = [sys.executable, "-m", "trilha", "-q", "crawl", str(list_path), "--db", f"sqlite:///{db}",
           "--allow-private", "--format", "json", "--workers", str(processes)]
    for remap in remaps:
        cmd += ["--remap", remap]
    wall, peak, codes = run_measured([cmd], env, tmp)
    assert all(c == 0 for c in codes), codes
    for leftover in db_dir.glob(db.name + "*"):
        leftover.unlink()
    return wall, peak


PLAIN_SCRAPY = """
import sys, scrapy
from scrapy.crawler import AsyncCrawlerProcess
urls = open(sys.argv[1]).read().split()
class Plain(scrapy.Spider):
    name = "plain"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, dont_filter=True)
    def parse(self, response):
        return [{"status": response.status}]
process = AsyncCrawlerProcess({"CONCURRENT_REQUESTS": int(sys.argv[2]), "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[2]),
    "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False, "CONCURRENT_ITEMS": 8})
process.crawl(Plain)
process.start()
"""


def plain_scrapy(urls: list[str], port: int, tmp: Path, concurrency: int) -> tuple[float, float]:
    """A bare Scrapy spider (no adapter, no store), one process, yielding its requests from
    ``start()`` the default way: Scrapy then reads one per engine cycle while its downloader
    has room, which trilha's spider avoids (crawler.spiders.links.LinkSpider.start)."""
    script, listing = tmp / "plain_scrapy.py", tmp / "plain_urls.txt"
    script.write_text(PLAIN_SCRAPY, encoding="utf-8")
    listing.write_text("\n".join(direct_url(u, port) for u in urls), encoding="utf-8")
    wall, peak, codes = run_measured([[sys.executable, str(script), str(listing), str(concurrency)]], dict(os.environ), tmp)
    assert codes == [0], codes
    return wall, peak


def linkchecker(urls: list[str], port: int, tmp: Path, threads: int) -> tuple[float, float] | None:
    venv = tmp / "lcvenv"
    if not venv.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        got = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"], check=False)
        if got.returncode != 0:
            print("linkchecker: pip install failed", file=sys.stderr)
            return None
    page = tmp / "links.html"
    direct = [direct_url(u, port) for u in urls]
    page.write_text("<html><body>" + "".join(f'<a href="{u}">{i}</a>\n' for i, u in enumerate(direct))
                    + "</body></html>", encoding="utf-8")
    # LinkChecker run as root drops to the user "nobody": it must be able to read the page
    tmp.chmod(0o755)
    page.chmod(0o644)
    rc = tmp / "linkcheckerrc"
    # maxfilesizeparse: the 20,000-link page is over LinkChecker's 1 MB default, above which
    # it checks the page but reads no link from it
    rc.write_text("[checking]\nmaxrequestspersecond=100000\nthreads=%d\nmaxfilesizeparse=100000000\n"
                  "[filtering]\ncheckextern=1\n" % threads, encoding="utf-8")
    cmd = [str(venv / "bin" / "linkchecker"), "--config", str(rc), "--no-robots", "--no-status", "-r", "1",
           "--check-extern", "-o", "text", str(page)]
    report = tmp / "linkchecker.txt"
    wall, peak, _codes = run_measured([cmd], {**os.environ, "HOME": str(tmp)}, tmp, stdout=report)
    summary = [line for line in report.read_text(errors="replace").splitlines() if line.startswith("That's it.")]
    tail = " | ".join(report.read_text(errors="replace").strip().splitlines()[-3:])
    print(f"LinkChecker says: {summary[-1] if summary else 'no summary: ' + tail}", flush=True)
    return wall, peak


def npm_tool(tmp: Path, package: str) -> Path | None:
    """The command of an npm ``package`` installed into a throwaway directory under ``tmp``
    (Node's own npm; None, said on stderr, when npm is missing or the install fails)."""
    npm = shutil.which("npm")
    if not npm:
        print(f"{package}: npm not found", file=sys.stderr)
        return None
    home = tmp / package
    binary = home / "node_modules" / ".bin" / package
    if not binary.exists():
        home.mkdir(exist_ok=True)
        got = subprocess.run([npm, "install", "--silent", "--prefix", str(home), package], check=False)
        if got.returncode != 0:
            print(f"{package}: npm install failed", file=sys.stderr)
            return None
    return binary


def linkinator(urls: list[str], port: int, tmp: Path, concurrency: int) -> tuple[float, float] | None:
    """linkinator (npm) on an HTML page of the same URLs, direct (it has no remap)."""
    binary = npm_tool(tmp, "linkinator")
    if binary is None:
        return None
    page = tmp / "site" / "index.html"
    page.parent.mkdir(exist_ok=True)
    direct = [direct_url(u, port) for u in urls]
    page.write_text("<html><body>" + "".join(f'<a href="{u}">{i}</a>\n' for i, u in enumerate(direct))
                    + "</body></html>", encoding="utf-8")
    cmd = [str(binary), str(page), "--concurrency", str(concurrency),
           "--format", "json", "--timeout", "20000"]
    report = tmp / "linkinator.json"
    wall, peak, _codes = run_measured([cmd], dict(os.environ), tmp, stdout=report)
    try:
        links = json.loads(report.read_text())["links"]
        states = Counter(link.get("state") for link in links)
        broken = next((link for link in links if link.get("state") != "OK"), None)
        print(f"linkinator says: {len(links)} links, {dict(states)}"
              + (f"; first failure: {json.dumps(broken)[:300]}" if broken else ""), flush=True)
    except (ValueError, KeyError, OSError) as exc:
        print(f"linkinator: no JSON report ({exc})", flush=True)
    return wall, peak


def markdown_link_check(urls: list[str], port: int, tmp: Path, _concurrency: int) -> tuple[float, float] | None:
    """markdown-link-check (npm) on a Markdown list of the same URLs, direct (its
    ``replacementPatterns`` could remap, but one rule per host costs it a regex per link).
    Its concurrency is not an option: it checks 2 links at a time (``async.mapLimit(…, 2)``
    in its source)."""
    binary = npm_tool(tmp, "markdown-link-check")
    if binary is None:
        return None
    listing = tmp / "direct.md"
    listing.write_text("# Bench list\n\n" + "".join(f"- [Page {i}]({direct_url(u, port)})\n" for i, u in enumerate(urls)),
                       encoding="utf-8")
    report = tmp / "mlc.txt"
    wall, peak, _codes = run_measured([[str(binary), str(listing)]], dict(os.environ), tmp, stdout=report)
    text = report.read_text(errors="replace")
    alive, dead = text.count("[✓]"), text.count("[✖]")
    try:
        package = binary.parent.parent / "markdown-link-check"
        version = json.loads((package / "package.json").read_text())["version"]
        limit = re.search(r"mapLimit\([^,]+,\s*(\w+)", (package / "index.js").read_text())
        print(f"markdown-link-check {version}, links at a time: {limit.group(1) if limit else '?'}", flush=True)
    except (OSError, ValueError, KeyError):
        pass
    summary = [line.strip() for line in text.splitlines() if "links checked" in line]
    print(f"markdown-link-check says: {alive} alive, {dead} dead"
          + (f" ({summary[-1]})" if summary else ""), flush=True)
    return wall, peak


def memory(largest: float) -> str:
    return (f"memory {TREE_PEAK[1]:.0f} MB PSS / {TREE_PEAK[0]:.0f} MB RSS summed over all its processes "
            f"(largest process {largest:.0f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--linkchecker", action="store_true")
    parser.add_argument("--linkinator", action="store_true", help="also linkinator (npm install, throwaway dir)")
    parser.add_argument("--mlc", action="store_true", help="also markdown-link-check (npm install, throwaway dir)")
    parser.add_argument("--db-dir", default="", help="where trilha's SQLite store goes (e.g. /dev/shm: no disk)")
    parser.add_argument("--engine", default="asyncio", choices=("asyncio", "twisted"), help="trilha's http_engine")
    parser.add_argument("--processes", default="1,2", help="trilha --workers, comma-separated; empty: not run")
    parser.add_argument("--scrapy", action="store_true", help="also a bare Scrapy spider on the same URLs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trilha-bench-") as tmpdir, serve(Path(tmpdir)) as port:
        tmp = Path(tmpdir)
        list_path = tmp / "bench.md"
        urls = write_list(list_path, args.links)
        for processes in (int(p) for p in args.processes.split(",") if p):
            wall, peak = trilha(list_path, port, tmp, processes, args.concurrency, args.engine,
                                Path(args.db_dir) if args.db_dir else tmp)
            print(f"trilha --workers {processes} ({args.engine}), concurrency {args.concurrency}: {args.links} "
                  f"links in {wall:.1f} s = {args.links / wall:.0f} links/s, {memory(peak)}, CPU {CPU[0]:.1f} s",
                  flush=True)
        if args.scrapy:
            wall, peak = plain_scrapy(urls, port, tmp, args.concurrency)
            print(f"plain Scrapy spider, 1 process, concurrency {args.concurrency}: {args.links} responses in "
                  f"{wall:.1f} s = {args.links / wall:.0f}/s, peak RSS {peak:.0f} MB, CPU {CPU[0]:.1f} s", flush=True)
        others = [("LinkChecker", f"{args.concurrency} threads", linkchecker, args.linkchecker),
                  ("linkinator", f"concurrency {args.concurrency}", linkinator, args.linkinator),
                  ("markdown-link-check", "its fixed concurrency 2", markdown_link_check, args.mlc)]
        for name, how, run, wanted in others:
            if wanted:
                wait_for_closed_sockets()
            got = run(urls, port, tmp, args.concurrency) if wanted else None
            if got:
                wall, peak = got
                print(f"{name}, {how}: {args.links} links in {wall:.1f} s = {args.links / wall:.0f} links/s, "
                      f"{memory(peak)}, CPU {CPU[0]:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
