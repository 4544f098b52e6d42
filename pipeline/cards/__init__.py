"""Monthly per-agent QA cards (PDCA: the Check that drives the next Act).

`build_cards(month, store_url, out_dir, pdf=True, progress=None)` writes index.html (team overview),
card-<agent>-<month>.html/.pdf (the agent id as a file name, or a readable slug plus a short hash of
the id when the id is not file-safe; the id itself is inside the card) and agents-<month>.csv/.xlsx
(HR's 汇总 sheet first, every cell escaped by pipeline.cards.sheets.sheet_cell). See docs/architecture.md.
"""
from pipeline.cards.build import CardsReport, build_cards

__all__ = ["build_cards", "CardsReport"]
