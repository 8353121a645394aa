"""Text as search compares it: the same for "Kyōto", "KYOTO" and "ＫＹＯＴＯ".

Folded in Python, not by the database (PostgreSQL's unaccent, SQLite's nothing), so that a
search finds the same listings on either.
"""

import re
import unicodedata

# NFKD splits ド into ト and a voicing mark: the mark is part of the Japanese letter, not an
# accent, and dropping it would make ドア (door) match トア.
KANA_VOICING_MARKS = {"\u3099", "\u309a"}
# Letters and digits of any script; "_" is a "word" character to re, not to people.
WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Compatibility-decomposed (full-width is plain), accents dropped, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    unaccented = "".join(
        char for char in decomposed if not unicodedata.combining(char) or char in KANA_VOICING_MARKS
    )
    return unicodedata.normalize("NFC", unaccented).casefold()


def listing_search_text(*, title: str, location: str) -> str:
    return f"{fold(title)}\n{fold(location)}"


def search_words(where: str) -> list[str]:
    """The folded words of a search, each of which a listing must contain."""
    return WORD.findall(fold(where))
