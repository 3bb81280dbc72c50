"""How long an SMS is, and a phone number in the international form the messaging APIs want.

Pure: no Flask, no database.

Basis
    3GPP TS 23.038 §6.2.1 (the GSM 7-bit default alphabet and its extension table, whose
    characters take two septets) and TS 23.040 §9.2.3.24.1 (concatenated messages: the header of
    a part takes 6 octets). So one message holds 160 GSM-7 characters or 70 UCS-2 ones; a
    message in parts holds 153 GSM-7 or 67 UCS-2 characters per part. Vietnamese with its
    diacritics is not in the GSM-7 alphabet: a Vietnamese notice SMS is UCS-2, an English one GSM-7.
    How long it may be is a project rule (issue 16: "short enough for SMS … with the dossier
    code and the lookup link"): at most `MAX_SEGMENTS` = 3 parts, 201 UCS-2 characters — a
    lookup link alone is about 100 characters, so a single 70-character message cannot hold it.
"""
from __future__ import annotations

import phonenumbers

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}
MAX_SEGMENTS = 3
REGION = "VN"  # a number written without its country is Viet Nam's (ISO 3166-1)


def encoding(text: str) -> str:
    """"gsm7" when every character is in the GSM 7-bit alphabet, else "ucs2"."""
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "ucs2"


def length(text: str) -> int:
    """The length in the message's units: septets for GSM-7 (an extension character is two),
    UTF-16 code units for UCS-2."""
    if encoding(text) == "gsm7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many messages the operator sends for `text`."""
    units, kind = length(text), encoding(text)
    if units <= SINGLE[kind]:
        return 1
    return -(-units // PART[kind])


def fits(text: str) -> bool:
    """Whether a notice's SMS keeps to the project's limit (`MAX_SEGMENTS` parts)."""
    return segments(text) <= MAX_SEGMENTS


def international(phone: str | None, region: str = REGION) -> str | None:
    """A phone number in international form, digits only, as Zalo ZNS wants it ("84912345678"
    for 0912 345 678, +84 912 345 678, 0084912345678 or 912345678); None when it is not a valid
    number. Parsed and validated by phonenumbers (libphonenumber's metadata: Viet Nam's mobile
    and landline ranges, international prefixes), a number without its country read as
    `region`'s."""
    try:
        number = phonenumbers.parse(phone or "", region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).removeprefix("+")
