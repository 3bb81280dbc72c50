"""Text folding for search (Vietnamese without diacritics, lower case), and dates in words."""
from __future__ import annotations

import re
from datetime import date

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """"Cấp Giấy phép  Xây dựng" → "cap giay phep xay dung" (đ → d as well).

    Users type without diacritics on many keyboards; the catalogue must still find the
    procedure, so both the stored text and the query are folded the same way."""
    return _SPACES.sub(" ", unidecode(text).lower()).strip()


_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _tens(n: int) -> str:
    """1–99 in words: "mười lăm", "hai mươi mốt", "ba mươi"."""
    if n < 10:
        return _DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if unit == 0:
        return head
    tail = "mốt" if unit == 1 and tens > 1 else "lăm" if unit == 5 else _DIGITS[unit]
    return f"{head} {tail}"


def _year(n: int) -> str:
    """A four-digit year in words: 2026 → "hai nghìn không trăm hai mươi sáu", 2005 → "… linh năm"."""
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    words = [_DIGITS[thousands], "nghìn"]
    if rest:
        words += [_DIGITS[hundreds], "trăm"]
        if below:
            words += ["linh", _DIGITS[below]] if below < 10 else [_tens(below)]
    return " ".join(words)


def date_in_words(day: date) -> str:
    """A date of birth written in words, as civil-status papers print it beside the figures:
    date(2026, 11, 20) → "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu".
    [R] The civil-status forms (Circular 04/2020/TT-BTP) write the date of birth in figures and
    in words; the wording here follows their printed samples as recalled, not a re-read text."""
    if not 1000 <= day.year <= 9999:
        raise ValueError(f"year {day.year} is not written in words here")
    return f"Ngày {_tens(day.day)}, tháng {_tens(day.month)}, năm {_year(day.year)}"
