"""Pure rules: no Flask, no database.

`N_` marks a Vietnamese constant of the domain (a label, a message) for the English catalogue
without translating it: the domain speaks Vietnamese, and the page that shows the constant
translates it (app/i18n.py)."""


def N_(message: str) -> str:
    """The message itself; pybabel extracts it (the Makefile's keywords)."""
    return message
