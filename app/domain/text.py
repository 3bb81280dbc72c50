"""Text folding for search: Vietnamese without diacritics, lower case."""
from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """"Cấp Giấy phép  Xây dựng" → "cap giay phep xay dung" (đ → d as well).

    Users type without diacritics on many keyboards; the catalogue must still find the
    procedure, so both the stored text and the query are folded the same way."""
    return _SPACES.sub(" ", unidecode(text).lower()).strip()
