"""Job: deliver one outbox message (thin: the service does the work)."""
from app.services import notify


def deliver_message(message_id: int) -> None:
    notify.deliver(message_id)
