"""How long an SMS is, and the short text that tells an applicant a dossier's new status.

Pure: no Flask, no database.

Basis
    3GPP TS 23.038 §6.2.1 (the GSM 7-bit default alphabet and its extension table, whose
    characters take two septets) and TS 23.040 §9.2.3.24.1 (concatenated messages: the header of
    a part takes 6 octets). So one message holds 160 GSM-7 characters or 70 UCS-2 ones; a
    message in parts holds 153 GSM-7 or 67 UCS-2 characters per part. Vietnamese with its
    diacritics is not in the GSM-7 alphabet: a status SMS is UCS-2.
    How long it may be is a project rule (issue 16: "short enough for SMS … with the dossier
    code and the lookup link"): at most `MAX_SEGMENTS` = 3 parts, 201 UCS-2 characters — a
    lookup link alone is about 100 characters, so a single 70-character message cannot hold it.
"""
from __future__ import annotations

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}
MAX_SEGMENTS = 3


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


def status_text(named: str, label: str, link: str | None) -> str:
    """The status SMS: which dossier (its code, or before receipt its reference), its new status,
    and the lookup link when there is one."""
    text = f"[Một cửa] Hồ sơ {named}: {label}."
    return f"{text} Tra cứu: {link}" if link else text
