"""Links from a card to the reviewer workspace (`zhijian review`), so a coach reading a card is one click
from the conversation behind an example, a red line or a flag count.

The workspace's address is the setting `review_url` (ZHIJIAN_REVIEW_URL): a card is a file that travels
(mail, a shared drive), so its links must be absolute. Ids come from chat exports and may hold anything:
each is quoted as one path segment or one query value, never spliced in raw.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlencode

from pipeline.cards.data import Month


class ReviewLinks:
    """URLs into the workspace for one month's cards."""

    def __init__(self, base_url: str, month: Month) -> None:
        self.base_url = base_url.rstrip("/")
        self.month = month

    def conversation(self, conversation_id: str) -> str:
        """The conversation view (/conversations/{id}): transcript, evidence, review history."""
        return f"{self.base_url}/conversations/{quote(str(conversation_id), safe='')}"

    def queue(self, agent_id: str, flag_code: str) -> str:
        """The queue filtered to this agent, this flag and the card's month: the conversations behind a count.

        The queue's dates are days in the settings time zone, as the card's months are. The card counts a
        conversation for its main agent only; the queue's agent filter also lists conversations the
        agent merely took part in, so the list can be longer than the count, never shorter.
        """
        first = self.month.start().date()
        last = (self.month.end() - timedelta(days=1)).date()
        query = {"agent": agent_id, "flag": flag_code, "from": first.isoformat(), "to": last.isoformat()}
        return f"{self.base_url}/queue?{urlencode(query)}"


__all__ = ["ReviewLinks"]
