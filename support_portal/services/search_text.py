"""What a search box sends, made safe for the full-text engines, and the excerpt a hit shows.

Nothing typed reaches FTS syntax as written: the text is cut into plain pieces that the
query builders (services/search.py) quote themselves, so quotes, `*`, `-`, `:`, `(`, `NEAR`
or `AND` are only characters to look for, and no input can raise a syntax error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TEXT = 100
MAX_PIECES = 8
MAX_PIECE = 40
EXCERPT_BEFORE = 50
EXCERPT_LENGTH = 180

_WORD = re.compile(r"[^\W_]+")  # letters and digits: what 'simple' keeps as one lexeme
_IDLIKE = re.compile(r"[\d@._#/+:-]")


@dataclass(frozen=True)
class Terms:
    text: str  # the whole query, whitespace collapsed (for ILIKE '%...%')
    words: tuple[str, ...]  # lowercase letters/digits runs (PostgreSQL tsquery prefixes)
    chunks: tuple[str, ...]  # the space-separated pieces, lowercased (SQLite trigram strings)
    number: int | None  # "#123" or "123": a ticket number

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def idlike(self) -> bool:
        """Digits or punctuation: an id or an email, not a name."""
        return bool(_IDLIKE.search(self.text))

    @property
    def substring(self) -> bool:
        """Long enough for a substring (trigram) search: three characters."""
        return len(self.text) >= 3


def parse(search: str | None) -> Terms:
    cleaned = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in search or ""
    )
    text = " ".join(cleaned.split())[:MAX_TEXT].strip()
    chunks = tuple(dict.fromkeys(c[:MAX_PIECE].lower() for c in text.split()))[:MAX_PIECES]
    words = tuple(dict.fromkeys(w[:MAX_PIECE].lower() for w in _WORD.findall(text)))
    digits = text.removeprefix("#")
    number = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 12 else None
    return Terms(text=text, words=words[:MAX_PIECES], chunks=chunks, number=number)


def tsquery(terms: Terms) -> str:
    """Every word, required: `'a' & 'b'`. No prefixes: GIN reads every entry a prefix begins
    (hundreds of ms for 'com':* over five million messages); parts of words are the
    substring search's job (services/search.py).

    Words hold only letters and digits, so the quoting cannot be broken out of."""
    return " & ".join(f"'{word}'" for word in terms.words)


def fts5_string(piece: str) -> str:
    """A piece as an FTS5 string: with the trigram tokenizer, that substring anywhere."""
    return '"' + piece.replace('"', '""') + '"'


@dataclass(frozen=True)
class Excerpt:
    before: str
    match: str  # highlighted
    after: str


def excerpt(body: str, terms: Terms) -> Excerpt:
    """A short piece of `body` around the first place a search term appears in it."""
    flat = " ".join(body.split())
    needles = sorted({*terms.chunks, *terms.words, terms.text.lower()}, key=len, reverse=True)
    pattern = "|".join(re.escape(n) for n in needles if n)
    found = re.search(pattern, flat, re.IGNORECASE) if pattern else None
    if found is None:
        head = flat[:EXCERPT_LENGTH]
        return Excerpt("", "", head + ("…" if len(flat) > len(head) else ""))
    start, end = found.span()
    left = max(0, start - EXCERPT_BEFORE)
    if left:  # start at a word
        space = flat.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right = min(len(flat), max(end, left + EXCERPT_LENGTH))
    if right < len(flat):
        space = flat.rfind(" ", end, right)
        right = space if space != -1 else right
    before = ("…" if left else "") + flat[left:start]
    after = flat[end:right] + ("…" if right < len(flat) else "")
    return Excerpt(before, flat[start:end], after)
