"""Dossier codes, and how a name is shown on the public lookup.

Pure: no Flask, no database. The daily sequence comes from an atomic database counter
(DESIGN.md §4); this module only writes and reads the code.

Dossier code (Circular 01/2018/TT-VPCP Art. 19; LEGAL.md 2.3)
    ``{receiving agency identifier}-{YYMMDD}-{NNNN}``, e.g. ``000.00.12.H13-250703-0001``:
    the identifier of the agency that received the dossier (QĐ 20/2020/QĐ-TTg: at most
    35 characters, dot-separated groups), the date it was received, and its sequence
    number that day at that agency, at least four digits.

    One code, one spelling: ``parse_code`` accepts lower case and surrounding spaces
    (people type codes), but ``str(parse_code(text))`` is always the canonical form, so
    a lookup compares canonical strings.

    ``YYMMDD`` is the date the dossier is RECEIVED (Art. 19, kept by Circular 03/2025), so
    the code is given when the desk accepts it (LEGAL.md §8): at once for a counter or postal
    dossier, on acceptance for an online one.

Submission reference (mã tham chiếu), ``TC-{YYMMDD}-{NNNNNN}``
    What an online submission gets at once, before any desk has received it: the day it was
    sent and a portal-wide daily sequence of at least six digits. It is not a dossier code
    and is printed on no form; the applicant follows the dossier with it in their account
    until the code exists. Its shape can never be a dossier code: the sequence carries a
    leading zero below 100000 and a code's agency part is an official identifier
    (QĐ 20/2020/QĐ-TTg), never "TC". A project choice: no text sets the shape of a
    pre-acceptance reference.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "DossierCode",
    "format_code",
    "format_reference",
    "is_valid_code",
    "mask_name",
    "parse_code",
]

# QĐ 20/2020/QĐ-TTg: an agency identifier has at most 35 characters.
AGENCY_CODE_MAX_LENGTH = 35

_AGENCY = r"[A-Z0-9]+(?:\.[A-Z0-9]+)*"
_AGENCY_RE = re.compile(rf"^{_AGENCY}$")
# [0-9], not \d: \d also matches other scripts' digits (e.g. Arabic-Indic).
# The sequence is 4 digits, or more without a leading zero (see _check_sequence).
_CODE_RE = re.compile(
    rf"^(?P<agency>{_AGENCY})-(?P<day>[0-9]{{6}})-(?P<seq>[0-9]{{4}}|[1-9][0-9]{{4,}})$"
)

_FORMAT_HELP = "cần dạng {mã cơ quan}-{YYMMDD}-{số thứ tự}, ví dụ 000.00.12.H13-250703-0001"


def _format_error(text: object) -> ValueError:
    # The message goes back to the person who typed the code: echo it, but not a megabyte.
    shown = repr(text if len(repr(text)) <= 60 else f"{str(text)[:50]}…")
    return ValueError(f"Mã hồ sơ không đúng định dạng: {shown} ({_FORMAT_HELP}).")


def _check_agency_code(agency_code: str) -> None:
    if not isinstance(agency_code, str):
        raise TypeError(f"agency code must be a string, got {type(agency_code).__name__}")
    if len(agency_code) > AGENCY_CODE_MAX_LENGTH:
        raise ValueError(
            f"agency code {agency_code!r} is longer than {AGENCY_CODE_MAX_LENGTH} characters"
        )
    # Strict, no upper-casing here: identifiers are official data in capitals, and a
    # lower-case one in the database would mint codes that the lookup cannot find.
    if not _AGENCY_RE.match(agency_code):
        raise ValueError(
            f"agency code {agency_code!r} is not dot-separated groups of A-Z and 0-9 "
            "(e.g. 000.00.12.H13)"
        )


def _check_day(day: date) -> None:
    # A datetime is refused: the code carries the office date of receipt, and a UTC
    # datetime would give the wrong day before 07:00 in Vietnam. Convert first.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"day must be a date, got {type(day).__name__}")
    # YY is read back as 20YY; any other century would not survive the round trip.
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"day {day} is outside 2000-2099, which YYMMDD can express")


def _check_sequence(sequence: int) -> None:
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"sequence must be an integer, got {sequence!r}")
    if sequence < 1:
        raise ValueError(f"sequence must be at least 1, got {sequence}")


@dataclass(frozen=True)
class DossierCode:
    """A dossier code, validated; ``str()`` gives its canonical text."""

    agency_code: str
    day: date
    sequence: int

    def __post_init__(self) -> None:
        _check_agency_code(self.agency_code)
        _check_day(self.day)
        _check_sequence(self.sequence)

    def __str__(self) -> str:
        # At least 4 digits, as the Circular prints it; past 9999 the number simply
        # grows (10000, not a wrap to 0000 that would repeat a code of the same day).
        # Circular 04/2025 Art. 13(3) likewise says "at least 4 digits".
        return f"{self.agency_code}-{self.day:%y%m%d}-{self.sequence:04d}"


def format_code(agency_code: str, day: date, sequence: int) -> str:
    """The code of the ``sequence``-th dossier received by ``agency_code`` on ``day``.

    ``format_code("000.00.12.H13", date(2025, 7, 3), 1)`` → ``"000.00.12.H13-250703-0001"``.
    ValueError for an invalid agency identifier (over 35 characters, or not
    dot-separated groups of A-Z/0-9), a sequence below 1 or a year outside 2000-2099;
    TypeError for a datetime or a non-integer sequence.
    """
    return str(DossierCode(agency_code, day, sequence))


def parse_code(text: str) -> DossierCode:
    """Read a dossier code typed or scanned by a person.

    Surrounding whitespace is ignored and letters are upper-cased. Anything else
    (another shape, an impossible date such as 251399, sequence 0000, a sequence of
    more than 4 digits with a leading zero, non-ASCII characters) raises
    ValueError("Mã hồ sơ không đúng định dạng ...").
    """
    if not isinstance(text, str):
        raise _format_error(text)
    cleaned = text.strip()
    # Checked before upper-casing: str.upper() turns "ß" into "SS" and "ﬁ" into "FI",
    # which would make garbage look like a valid agency identifier.
    match = _CODE_RE.match(cleaned.upper()) if cleaned.isascii() else None
    if match is None:
        raise _format_error(cleaned)
    digits = match["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        raise ValueError(
            f"Mã hồ sơ không đúng định dạng: ngày {digits} (YYMMDD) không tồn tại."
        ) from None
    try:
        return DossierCode(match["agency"], day, int(match["seq"]))
    except ValueError as error:
        raise _format_error(cleaned) from error


REFERENCE_PREFIX = "TC"


def format_reference(day: date, sequence: int) -> str:
    """The submission reference of the ``sequence``-th online submission of ``day``:
    ``format_reference(date(2026, 3, 2), 7)`` → ``"TC-260302-000007"``."""
    _check_day(day)
    _check_sequence(sequence)
    return f"{REFERENCE_PREFIX}-{day:%y%m%d}-{sequence:06d}"


def is_valid_code(text: str) -> bool:
    """True if ``parse_code`` accepts ``text``."""
    try:
        parse_code(text)
    except ValueError:
        return False
    return True


def _first_letter(word: str) -> str:
    """The first letter with its combining marks, so no diacritic is lost."""
    end = 1
    while end < len(word) and unicodedata.combining(word[end]):
        end += 1
    return word[:end]


def mask_name(full_name: str) -> str:
    """The applicant's name as the public lookup shows it.

    Anyone holding a code can look a dossier up, so personal data is masked (ANCHORS.md,
    lesson 8; a project choice, not a rule of the one-stop texts): the family name stays
    whole, each other word keeps its first letter: "Nguyễn Văn An" → "Nguyễn V** A**".
    The family name alone identifies no one, and the initials let the applicant recognise
    their own dossier. A single word is shown
    as is; extra spaces are collapsed; the text is put in NFC so a decomposed "Á" keeps
    its accent.
    """
    if not isinstance(full_name, str):
        raise TypeError(f"full_name must be a string, got {type(full_name).__name__}")
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    return " ".join([words[0], *(_first_letter(word) + "**" for word in words[1:])])
