"""Monthly per-agent QA cards (PDCA: the Check that drives the next Act).

`build_cards(month, store_url, out_dir)` writes index.html (team overview), card-<agent>-<month>.html/.pdf
and agents-<month>.csv/.xlsx. See docs/architecture.md.
"""
from pipeline.cards.build import CardsReport, build_cards

__all__ = ["build_cards", "CardsReport"]
