"""What the portal tells an applicant when a dossier changes (issues 14 and 16): one notice
kind per change that notifies, each with the parameters its texts need, and the channels an
account may choose to be told on.

Pure: no Flask, no database. The texts are templates/notify/<kind>.txt (app/services/notify.py
renders them in the recipient's language and writes one outbox row per chosen channel)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """The notices, one per status change that notifies (the kind list: stated once)."""

    SUBMITTED = "submitted"                        # sent online, waiting for the desk
    RESUBMITTED = "resubmitted"                    # the supplement was sent
    RECEIVED = "received"                          # receipt (form 01), with the appointment
    SUPPLEMENT_REQUESTED = "supplement_requested"  # form 02, with the items
    REFUSED = "refused"                            # form 03, with the reasons
    FEE_REQUESTED = "fee_requested"                # with the amount
    PAID = "paid"                                  # the fee was paid (counter or online), with the amount
    APOLOGY = "apology"                            # form 04, with the new date and the reason
    RESOLVED = "resolved"                          # the result is ready (denied: with the reason)
    RETURNED = "returned"                          # the result was handed over, with how
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWAL_CANCELLED = "withdrawal_cancelled"
    WITHDRAWAL_REFUSED = "withdrawal_refused"      # the desk does not stop it, with the reason
    STOPPED = "stopped"                            # stop notice


@dataclass(frozen=True)
class Notice:
    """One notice and its parameters; each kind reads only its own (the notify module's
    docstring lists them)."""

    kind: Kind
    items: tuple[str, ...] = ()     # supplement_requested: the papers to add
    amount: int | None = None       # fee_requested, paid: đồng
    new_due: datetime | None = None  # apology: the new appointment
    reason: str = ""                # refused (reasons joined), apology, resolved (denied), withdrawal_refused
    delivery: str = ""              # returned: a vocabulary.Delivery code
    tracking: str = ""              # returned by post: the postal tracking number

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "items", tuple(self.items))


# The channels an account may choose (User.notify_channels), and a new account's choice.
CHANNELS = ("email", "sms", "zalo")
DEFAULT_CHANNELS = ("email", "sms")


def parse_channels(stored: str | None) -> frozenset[str]:
    """The stored comma list as a set of known channels (an unknown name is ignored)."""
    return frozenset(c for c in (stored or "").split(",") if c in CHANNELS)


def join_channels(chosen: Iterable[str]) -> str:
    """The channels to store, in CHANNELS order; an unknown one is a ValueError."""
    chosen = set(chosen)
    if unknown := chosen - set(CHANNELS):
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    return ",".join(c for c in CHANNELS if c in chosen)
