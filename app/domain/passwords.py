"""What a password must be: long enough and not easy to guess.

NIST SP 800-63B §5.1.1.2 (memorized secrets): at least 8 characters (we ask 10), no composition
rules, but a new password is checked against "passwords obtained from previous breach corpuses,
dictionary words, repetitive or sequential characters, context-specific words such as the
name of the service, the username". zxcvbn does that offline: its frequency lists (the most
common passwords of public leaks, English words, names), keyboard patterns, sequences, repeats
and dates, plus the words we give it (the account's e-mail, name, ID number, phone, the
portal's name). Pure: no Flask, no database.
"""
from __future__ import annotations

from unidecode import unidecode

from app.domain import N_, msg

MIN_LENGTH = 10
MAX_LENGTH = 128
# zxcvbn's score 0-4; 3 is "safely unguessable: moderate protection from offline slow-hash
# scenario" (about 10^8 guesses and more).
MIN_SCORE = 3
# The length rule's message, for the service and the forms alike (translated where shown).
LENGTH_MESSAGE = msg("Mật khẩu từ %(min)s đến %(max)s ký tự.", min=MIN_LENGTH, max=MAX_LENGTH)
SITE_WORDS = ("motcua", "mot cua", "dichvucong", "dich vu cong", "vinhphuc", "matkhau", "mat khau")


def weakness(password: str, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` is refused, in Vietnamese, or None when it is acceptable. `personal` are
    the account's own words (e-mail, name, ID number, phone), which must not make it up."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return LENGTH_MESSAGE
    # Vietnamese names typed without diacritics ("nguyenvanan") are the same words.
    plain = [unidecode(w).lower() for w in personal if w]
    words = [*plain, *SITE_WORDS, *("".join(w.split()) for w in plain)]
    words += [part for w in plain for part in w.replace("@", " ").replace(".", " ").split() if len(part) > 2]
    from zxcvbn import zxcvbn  # its dictionaries take ~12 MB: loaded by the first password checked

    if zxcvbn(password, user_inputs=words)["score"] < MIN_SCORE:
        return N_("Mật khẩu này quá dễ đoán (mật khẩu phổ biến, dãy phím, ngày tháng hoặc có thông tin "
                  "của bạn). Hãy dùng một câu ngắn gồm vài từ ít gặp.")
    return None
