"""The Redis names and leases of a crawl shared by several workers (crawler.addons).

Free of Scrapy, so the process that closes a shared crawl (:func:`crawler.run._shared_status`)
asks Redis about the other workers without importing Scrapy or scrapy-redis.
"""

from __future__ import annotations


def safe_key(crawl_key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(crawl_key)) or "default"


def claim_key(spider_name: str, crawl_key: str) -> str:
    """The crawl's claims: a hash, claim id → token of the worker run that holds it.

    (``:claimed``, not the earlier ``:claims`` set, so a key left by an older version
    cannot meet the hash commands with a WRONGTYPE error.)
    """
    return f"trilha:{spider_name}:{safe_key(crawl_key)}:claimed"


def lease_prefix(spider_name: str, crawl_key: str) -> str:
    """``<prefix><token>`` exists while the worker run ``token`` is alive (a key with a TTL)."""
    return f"trilha:{spider_name}:{safe_key(crawl_key)}:alive:"


LEASE_ALIVE, LEASE_DONE = b"alive", b"done"


#: the leases this process took (one crawl per process): never counted as *another* worker,
#: also when its spider did not close cleanly and the lease still waits for its TTL
OWN_LEASES: set[str] = set()


def live_workers(redis_url: str, spider_name: str, crawl_key: str) -> int:
    """How many *other* worker runs of this crawl hold a live lease now (for the crawl's
    closing; this process's own leases, :data:`OWN_LEASES`, do not count)."""
    from redis import Redis

    server = Redis.from_url(redis_url, socket_connect_timeout=5)
    try:
        keys = [k for k in server.scan_iter(match=lease_prefix(spider_name, crawl_key) + "*", count=1000)
                if (k.decode() if isinstance(k, bytes) else k) not in OWN_LEASES]
        return sum(1 for value in (server.mget(keys) if keys else ()) if value == LEASE_ALIVE)
    finally:
        server.close()
