"""Detect and repair mojibake (UTF-8 text that was once decoded with the wrong charset).

ftfy (https://ftfy.readthedocs.io) does the work: ``ftfy.badness.is_bad`` detects it and
``ftfy.fix_encoding_and_explain`` undoes it, naming the wrong charset (ftfy knows Mac Roman,
which is what the seed list suffered: "Ci√™ncia" for "Ciência").  Only the encoding is
touched (no quote uncurling, no HTML unescaping).  If ftfy leaves the text bad, the explicit
Mac Roman round trip ``text.encode("mac_roman").decode("utf-8")`` is tried and kept only
when it round-trips and lowers ftfy's badness score.
"""

from __future__ import annotations

from dataclasses import dataclass

import ftfy
from ftfy.badness import badness, is_bad


def _non_ascii_words(text: str) -> str:
    """The distinct whitespace-separated words holding non-ASCII characters, one per line.

    Mojibake lives inside words, so ftfy's detector only needs these; on a 10 MB list
    with a few hundred distinct accented words this is thousands of times less text.
    """
    words = (w for line in text.splitlines() if not line.isascii() for w in line.split() if not w.isascii())
    return "\n".join(dict.fromkeys(words))


@dataclass(frozen=True, slots=True)
class Repair:
    text: str
    note: str | None        # None when nothing was repaired


def _charset_of(plan: list) -> str:
    for step in plan:
        if step[0] == "encode":
            return {"macroman": "Mac Roman", "sloppy-windows-1252": "Windows-1252",
                    "latin-1": "Latin-1"}.get(step[1], step[1])
    return "a wrong charset"


def repair_text(text: str) -> Repair:
    """Repair mojibake in a whole document; ``note`` says what was done (once)."""
    if text.isascii() or not is_bad(_non_ascii_words(text)):
        return Repair(text, None)
    before = badness(text)
    fixed, plan = ftfy.fix_encoding_and_explain(text)
    if fixed != text and badness(fixed) < before:
        return Repair(fixed, f"repaired mojibake (UTF-8 that was read as {_charset_of(plan)}) with ftfy; "
                             f"badness {before} → {badness(fixed)}")
    try:
        alt = text.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return Repair(text, None)
    if badness(alt) < before:
        return Repair(alt, f"repaired mojibake (UTF-8 that was read as Mac Roman) by re-encoding; "
                           f"badness {before} → {badness(alt)}")
    return Repair(text, None)


def repair_fragment(text: str) -> str | None:
    """The repaired form of a short string (a decoded URL or anchor), or None if it looks fine."""
    if not text or text.isascii():
        return None
    fixed = ftfy.fix_encoding(text)
    if fixed != text:
        return fixed
    # A non-ASCII string that re-encodes in a one-byte charset to VALID UTF-8 is almost
    # certainly mojibake: real accented text (b"pr\x87tica") is not valid UTF-8.
    for charset in ("mac_roman", "cp1252"):
        try:
            alt = text.encode(charset).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if alt != text:
            return alt
    return None
