"""Name a download failure with a code of :data:`crawler.classify.FAILURES`.

Scrapy 2.19 wraps download failures in its own classes (``scrapy.exceptions``:
``CannotResolveHostError``, ``DownloadConnectionRefusedError``, ``DownloadTimeoutError``,
``DownloadCancelledError``, ``DownloadFailedError``, ``ResponseDataLossError``); Twisted's
classes (``twisted.internet.error``, ``twisted.web._newclient``) are
matched by name so this works on either reactor without importing internals.
"""

from __future__ import annotations

from crawler.middlewares import TrilhaRequestFailure

_BY_NAME = {
    "DNSLookupError": "dns",
    "ConnectionRefusedError": "refused",
    "NoRouteError": "unreachable",
    "ConnectError": "unreachable",
    "TimeoutError": "timeout",
    "DownloadTimeoutError": "timeout",
    "DownloadConnectionRefusedError": "refused",
    "CannotResolveHostError": "dns",
    "DownloadCancelledError": "toobig",
    "DownloadFailedError": "reset",
    "ResponseDataLossError": "reset",
    "UnsupportedURLSchemeError": "scheme",
    "TCPTimedOutError": "timeout",
    "UserTimeoutError": "timeout",
    "CancelledError": "timeout",
    "ResponseNeverReceived": "reset",
    "ResponseFailed": "reset",
    "ConnectionLost": "reset",
    "ConnectionDone": "reset",
    "ConnectionAborted": "reset",
    "SSLError": "tls",
    "Error": "tls",              # OpenSSL.SSL.Error
    "InvalidURL": "malformed",
    "NotSupported": "scheme",
}


def failure_code(exc: BaseException) -> str:
    if isinstance(exc, TrilhaRequestFailure):
        return exc.failure
    name = type(exc).__name__
    if name in ("ResponseNeverReceived", "ResponseFailed"):
        reasons = getattr(exc, "reasons", None) or []
        for reason in reasons:
            inner = getattr(reason, "value", None)
            if inner is not None and "SSL" in type(inner).__module__ + type(inner).__name__:
                return "tls"
    if "ssl" in type(exc).__module__.lower() or name.startswith("SSL"):
        return "tls"
    if name == "DNSLookupError" or "gaierror" in name:
        return "dns"
    return _BY_NAME.get(name, f"error: {name}")
