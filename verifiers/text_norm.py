"""Text normalisation for checks a policy could dodge with characters that look the same.

A verdict that reads letters (an option label, a forbidden word, "all lowercase") must read
them as a person sees them, or the policy learns to write `еasy` with a Cyrillic `е`, `e\\u200basy`
with a zero-width space, or `𝐆𝐑𝐄𝐀𝐓` in mathematical bold. Three layers, used together by
`fold_text`:
- NFKC: compatibility forms to their plain letters (full-width `Ｂ`, math bold `𝐁`, ligatures);
- `strip_invisible`: zero-width characters, soft hyphens, bidi controls, variation selectors
  and tag characters are deleted (they render as nothing);
- `fold_confusables`: Cyrillic and Greek letters drawn like Latin ones become those Latin
  letters (a small table of the look-alikes, not the whole Unicode confusables list).
`strip_inner_markup` also joins a word split by markdown emphasis or an HTML tag (`**ea**sy`).
"""
from __future__ import annotations

import re
import unicodedata

# Rendered as nothing: soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul
# fillers, Mongolian selectors, zero-width space/joiners, LRM/RLM, bidi embeddings and
# isolates, word joiner and invisible operators, variation selectors, BOM, tag characters.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]")

# Look-alikes of Latin letters (Cyrillic, then Greek, then a few Latin/IPA variants).
_LOOKALIKES = {
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    "а": "a", "с": "c", "е": "e", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s", "х": "x",
    "у": "y", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "α": "a",
    "ρ": "p", "κ": "k", "υ": "u",
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ᴀ": "A",
}
_FOLD = str.maketrans(_LOOKALIKES)
# emphasis or an HTML tag inside a word (`**ea**sy`, `ea<b></b>sy`); `_` is not (CommonMark)
_INNER_MARKUP = re.compile(r"(?<=[^\W_])(?:[*~`]+|<[^<>\n]{0,80}>)+(?=[^\W_])")


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width, mathematical and other compatibility letters become plain."""
    return unicodedata.normalize("NFKC", text)


def strip_invisible(text: str) -> str:
    """`text` without characters that render as nothing (zero-width, soft hyphen, bidi...)."""
    return _INVISIBLE.sub("", text)


def fold_confusables(text: str) -> str:
    """Cyrillic/Greek letters drawn like Latin ones, replaced by the Latin letter."""
    return text.translate(_FOLD)


def fold_text(text: str) -> str:
    """NFKC, invisible characters removed, look-alikes folded: the letters a reader sees."""
    return fold_confusables(strip_invisible(nfkc(strip_invisible(text))))


def strip_inner_markup(text: str) -> str:
    """Join words split by markdown emphasis or an inline HTML tag (`**ea**sy` -> `easy`)."""
    return _INNER_MARKUP.sub("", text)
