"""Is the crawler itself offline?  Decided from the crawl as a whole, plus a probe.

On a machine without network every name fails to resolve with the same error as a name
that does not exist, so one DNS failure says nothing.  The crawl is called offline when
most distinct hosts failed with a network error (dns, refused, unreachable, timeout)
and none — or almost none — answered, AND a probe fails too: two well-known names are
resolved through the system resolver.  The probe never opens a connection to a fixed
public address (such traffic is not ours to send, and some sandboxes accept any TCP
connection, which would make a connect probe lie).  Its checks are then ``offline``,
never ``dead``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

PROBE_NAMES = ("example.com", "www.iana.org")
SHARE = 0.8


@dataclass(frozen=True, slots=True)
class OfflineDecision:
    offline: bool
    failed_hosts: int
    answered_hosts: int
    reason: str


def most_hosts_failed(host_failures: Mapping[str, str], answered: Iterable[str], *, share: float = SHARE) -> bool:
    """Pure: ≥ ``share`` of the distinct hosts failed at the network level (and at least one did)."""
    answered_set = set(answered)
    failed = {h for h in host_failures if h not in answered_set}
    total = len(failed | answered_set)
    return bool(failed) and len(failed) / total >= share


def probe(timeout: float = 3.0) -> bool:
    """True when the network is reachable: one of :data:`PROBE_NAMES` resolves (DNS only)."""
    result: list[bool] = []

    def resolve(name: str) -> None:
        try:
            socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
            result.append(True)
        except OSError:
            pass

    threads = [threading.Thread(target=resolve, args=(n,), daemon=True) for n in PROBE_NAMES]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return bool(result)


def decide(
    host_failures: Mapping[str, str],
    answered: Iterable[str],
    *,
    probe_fn: Callable[[], bool] = probe,
) -> OfflineDecision:
    answered_set = set(answered)
    failed = len({h for h in host_failures if h not in answered_set})
    if not most_hosts_failed(host_failures, answered_set):
        return OfflineDecision(False, failed, len(answered_set), "")
    if probe_fn():
        return OfflineDecision(False, failed, len(answered_set), "network reachable: failures are the sites'")
    return OfflineDecision(
        True, failed, len(answered_set),
        f"{failed} of {failed + len(answered_set)} hosts failed to resolve or connect and the network probe failed",
    )
