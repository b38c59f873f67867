"""The interface every channel backend implements."""

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """One rendered message, ready for a channel. `kind` doubles as the 알림톡 template code."""

    message_id: int
    kind: str
    to: str
    recipient_name: str
    subject: str
    body: str
    link: str


class ChannelBackend(ABC):
    @abstractmethod
    def send(self, outgoing: Outgoing) -> str:
        """Hand the message over; return the provider's reference for it. Raise on any failure.

        Called at most once per message (the caller claims the row first), so a backend never
        needs its own duplicate check; an exception marks the message failed with its text.
        """
