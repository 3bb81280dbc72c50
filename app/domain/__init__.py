"""Pure rules: no Flask, no database.

`N_` marks a Vietnamese constant of the domain (a label, a message) for the English catalogue
without translating it: the domain speaks Vietnamese, and the page that shows the constant
translates it (app/i18n.py). `msg` is the same for a message with values in it: it is the
Vietnamese text with the values put in, and keeps its msgid and values so that the page that
shows it can translate the msgid first and put the values in after (app/i18n.py `say`)."""
from __future__ import annotations


def N_(message: str) -> str:
    """The message itself; pybabel extracts it (the Makefile's keywords)."""
    return message


class Msg(str):
    """A Vietnamese message with named values ("%(name)s" in its msgid): as a str it is the
    Vietnamese text; `msgid` and `params` let the boundary translate it."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, params: dict[str, object]) -> Msg:
        text = super().__new__(cls, msgid % params if params else msgid)  # as gettext formats
        text.msgid, text.params = msgid, params
        return text


def msg(msgid: str, **params: object) -> Msg:
    """The message `msgid` with `params` put in; pybabel extracts `msgid` (the Makefile's keywords).
    A value that is itself a constant to translate (a label) is passed as `msg(label)`."""
    return Msg(msgid, params)
