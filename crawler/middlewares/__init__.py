"""Downloader middlewares of trilha's Scrapy project (current API: no ``spider`` arguments).

Order (``crawler.settings``): early stop 90, host headers 410, retry 550, conditional
560, remap 960, address guard 970 — so the guard sees the address a request really goes
to, after the remap, on every redirect hop (the spider follows redirects itself).
"""

#: meta keys shared by the spider and the middlewares
IDENTITY = "trilha_identity"          # the real URL (identity) of a request
MAX_BYTES = "trilha_max_bytes"        # stop reading the body after this many bytes
VALIDATORS = "trilha_validators"      # (etag, last_modified) from the previous crawl
CONDITIONAL = "trilha_conditional"    # set when If-None-Match / If-Modified-Since was sent
RETRIES = "trilha_retries"            # retries done so far


from scrapy.exceptions import IgnoreRequest


class TrilhaRequestFailure(IgnoreRequest):
    """Raised by trilha's middlewares; ``failure`` is a code of crawler.classify.FAILURES."""

    def __init__(self, failure: str, message: str = "") -> None:
        super().__init__(message or failure)
        self.failure = failure
