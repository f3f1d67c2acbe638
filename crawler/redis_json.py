"""JSON serializer for requests in the shared Redis queue (scrapy-redis ``SCHEDULER_SERIALIZER``).

scrapy-redis stores each queued request as ``serializer.dumps(request.to_dict(spider=…))``
and reads it back with ``serializer.loads`` followed by ``request_from_dict`` (see
``scrapy_redis/queue.py: Base._encode_request / _decode_request`` in scrapy-redis 0.9.1).
Its default serializer is pickle (``scrapy_redis/picklecompat.py``): anyone who can write
to the Redis queue could then run code in every worker.  This module is the drop-in
replacement: ``SCHEDULER_SERIALIZER = "crawler.redis_json"`` (the scheduler imports the
module by name and calls its ``loads`` and ``dumps``).

``Request.to_dict`` holds values JSON cannot carry as they are: the body is ``bytes`` and
the headers are a dict of ``bytes`` keys to lists of ``bytes``.  They are encoded with two
tags, and nothing else is accepted:

* ``bytes``                       → ``{"$b": "<base64>"}``
* a dict with any non-``str`` key → ``{"$d": [[key, value], …]}``
* a dict whose only key is ``$b`` or ``$d`` is itself wrapped in ``$d`` so it round-trips.

Anything else (sets, dataclasses, model objects in ``meta``) is refused with a
:class:`TypeError` naming the type: a request that goes through the shared queue must
carry plain data in ``meta`` and ``cb_kwargs``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_TAGS = frozenset({"$b", "$d"})


def _encode(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and not (len(value) == 1 and set(value) <= _TAGS):
            return {key: _encode(item) for key, item in value.items()}
        return {"$d": [[_encode(key), _encode(item)] for key, item in value.items()]}
    raise TypeError(
        f"cannot put a {type(value).__name__} into the shared Redis queue as JSON: "
        "keep request meta and cb_kwargs to str/int/float/bool/None/bytes/list/dict"
    )


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1 and "$b" in value:
            return base64.b64decode(value["$b"])
        if len(value) == 1 and "$d" in value:
            return {_hashable(_decode(key)): _decode(item) for key, item in value["$d"]}
        return {key: _decode(item) for key, item in value.items()}
    return value


def dumps(obj: Any) -> bytes:
    """Serialize a ``Request.to_dict()`` result to compact UTF-8 JSON."""
    return json.dumps(_encode(obj), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def loads(data: bytes | str) -> Any:
    """Inverse of :func:`dumps`."""
    return _decode(json.loads(data))
