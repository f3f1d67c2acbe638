"""Refuse private, loopback and link-local targets (unless ``--allow-private``).

Checked on the RESOLVED address of every request, after the remap, so a public name
that resolves to 10.x, 127.x, 169.254.x (cloud metadata) or fc00::/7 is refused too, and
so is every redirect hop (the spider sends each hop through here).  Python's
:mod:`ipaddress` flags decide: ``is_private``, ``is_loopback``, ``is_link_local``,
``is_reserved``, ``is_multicast``, ``is_unspecified``.  Names are resolved with the event
loop's ``getaddrinfo`` (cached per crawl); a name that does not resolve fails here as
``dns``.  Limit: a DNS answer that changes between this check and the connection
(rebinding) is not caught.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request

from crawler.middlewares import TrilhaRequestFailure


def is_forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified)


class AddressGuardMiddleware:
    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self._cache: dict[str, list[str] | str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler.settings.getbool("TRILHA_ALLOW_PRIVATE"))

    async def _resolve(self, host: str, port: int) -> list[str] | str:
        if host in self._cache:
            return self._cache[host]
        try:
            ipaddress.ip_address(host)
            result: list[str] | str = [host]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
                result = sorted({info[4][0] for info in infos})
            except socket.gaierror as exc:
                result = f"dns: {exc.strerror or exc}"
            except OSError as exc:
                result = f"dns: {exc}"
        self._cache[host] = result
        return result

    async def process_request(self, request: Request) -> None:
        if self.allow_private:
            return None
        parts = urlsplit(request.url)
        host = (parts.hostname or "").strip("[]").lower()
        if not host:
            return None
        addresses = await self._resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        if isinstance(addresses, str):
            raise TrilhaRequestFailure("dns", addresses)
        bad = [a for a in addresses if is_forbidden(a)]
        if bad:
            raise TrilhaRequestFailure("private", f"{host} resolves to {bad[0]}: private address refused")
        return None
