"""The training recipe of the shipped agent-act model ``zh-cs-acts@5`` (issue 13; it began as ``@3``'s).

``models/acts.py`` holds the model and its default training (``@2``: the written act files
``agent_acts_train.tsv`` and ``agent_acts_short.tsv`` plus the ``none`` messages of the labelled
conversations). ``@3`` is the same model, features and fitting, with one more written file:
``data/acts/agent_acts_real.tsv`` — refusal dressed the way real shop agents write it
(这块我们也摸不准呢 = 不知道, 店里这边实在也没法子 帮不上您了 = 我也没办法, 这个我们也是爱莫能助),
against ``none`` lines that say where the customer can see something real (订单详情里查看 /
需要您本人登录查看) or that say "not sure" and then act with a time.

    python -m models.acts_recipe          # rebuild models/zh-cs-acts (seconds on CPU, plus a 5-fold CV)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from models.acts import GOLDEN_NONE_DIRS, META_FILE, ROOT, SHIPPED_ACT_MODEL_DIR, TRAIN_TSVS, ActClassifier, train_default

VERSION = 5
REAL_TSV = ROOT / "data" / "acts" / "agent_acts_real.tsv"
# @4: clarifying questions about the customer's intent (您是不要了吗) and directions to information only the
# customer can see (本人登录后查看), against the arguing / condescending lines they resemble
CLARIFY_TSV = ROOT / "data" / "acts" / "agent_acts_clarify.tsv"
# @5: the act mechanisms real sessions and outside writers showed the model missing — hedged not-knowing and
# polite helplessness, blame on third parties (parcel lockers, pickup points, guards, banks, warehouse),
# complaining about repeating oneself, "whatever you like" offers, refusing to apologise, "anyone can do it" —
# against their look-alikes: negated taboos, a rule cited to grant, apologies for an earlier reply, kind repetition
MECHANISMS_TSV = ROOT / "data" / "acts" / "agent_acts_mechanisms.tsv"
FILES: tuple[Path, ...] = (*TRAIN_TSVS, REAL_TSV, CLARIFY_TSV, MECHANISMS_TSV)
# @5: the `none` messages of the project's own labelled conversations only (models.acts.GOLDEN_NONE_DIRS).
# Up to @4 they also came from rubric_holdout and rubric_blind, _blind2, _blind3, measure-only sets now, like
# rubric_blind4..7; without them the held-out act files and every golden set measured as well or better.


def train(out_dir: str | Path = SHIPPED_ACT_MODEL_DIR, train_tsvs: Sequence[str | Path] = FILES, cv: int = 5) -> ActClassifier:
    """models.acts.train_default on the recipe's files and golden `none` messages, saved under the recipe's version."""
    model = train_default(out_dir, train_tsvs, cv=cv, golden=GOLDEN_NONE_DIRS)
    # same model and fitting as @2: only the name's version differs, so rename in the saved card
    card = Path(out_dir) / META_FILE
    meta = json.loads(card.read_text(encoding="utf-8"))
    meta["version"] = model.version = model.meta_["version"] = VERSION
    card.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return model


if __name__ == "__main__":  # pragma: no cover
    m = train()
    print(f"saved {m.model_id} to {SHIPPED_ACT_MODEL_DIR}")
