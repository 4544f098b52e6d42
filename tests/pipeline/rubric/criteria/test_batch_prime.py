"""forbidden_phrases' act model and time_commitment's hand-off model read once per batch (`prime`): each conversation's
slice of the batch's rows equals, with == to the last bit, what `score` would read for it alone on an empty memo."""
import copy
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from pipeline.rubric.criteria._common import human_agent_messages
from pipeline.rubric.matching import view
from pipeline.rubric.testing import make_conversation

SAMPLE = Path(__file__).resolve().parents[4] / "data" / "sample"


def _sample_conversations(files: int = 8):
    rows = defaultdict(list)
    for f in sorted(SAMPLE.glob("*.jsonl"))[:files]:
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["role"] in ("customer", "agent", "system"):
                rows[r["conversation_id"]].append(r)
    convs = []
    for cid, rs in rows.items():
        turns = [(r["role"], r["text"] or "", 10 * i, *([r["agent_id"]] if r["agent_id"] else [])) for i, r in enumerate(rs)]
        convs.append(make_conversation(turns, cid))
    return convs


def _bits(a) -> tuple:
    a = np.asarray(a)
    return a.dtype.str, a.shape, a.tobytes()


def test_the_batch_rows_equal_one_at_a_time(rubric):
    convs = _sample_conversations()
    forbidden, commitment = rubric.criterion("forbidden_phrases"), rubric.criterion("time_commitment")
    acts, handoffs = forbidden.compiled[3], commitment.compiled[6]
    assert acts is not None and handoffs is not None

    def empty_memos():
        acts.__dict__.pop("_proba_cache", None)
        handoffs.__dict__.pop("_field_caches", None)

    alone = []
    for c in convs:  # each conversation alone, on memos that hold nothing of the others
        empty_memos()
        msgs = human_agent_messages(c)
        if not msgs:
            alone.append(None)
            continue
        reading = commitment._model_reading(c, msgs)
        alone.append((_bits(acts.predict_proba([view(m).s for m in msgs])), tuple(map(_bits, reading))))

    empty_memos()
    forbidden.prime(convs)
    commitment.prime(convs)
    kept = 0
    for c, one in zip(convs, alone):
        (rows,) = forbidden.take_primed(c) or (None,)
        hand = commitment.take_primed(c)
        if one is None:
            assert rows is None and hand is None
            continue
        kept += 1
        assert _bits(rows) == one[0]
        assert tuple(map(_bits, hand)) == one[1]
        assert (rows == np.frombuffer(one[0][2], rows.dtype).reshape(rows.shape)).all()  # == as numbers too
        assert forbidden.take_primed(c) is None  # handed out once
    assert kept >= 40


def test_scoring_a_primed_batch_gives_what_scoring_alone_gives(rubric):
    convs = _sample_conversations(4)
    forbidden, commitment = rubric.criterion("forbidden_phrases"), rubric.criterion("time_commitment")
    alone = [(forbidden.score(c), commitment.score(c)) for c in convs]
    forbidden.prime(convs)
    commitment.prime(convs)
    assert [(forbidden.score(c), commitment.score(c)) for c in convs] == alone


def test_kept_slices_are_not_pickled_nor_copied(rubric):
    convs = _sample_conversations(1)
    forbidden = rubric.criterion("forbidden_phrases")
    forbidden.prime(convs)
    assert forbidden._primed and copy.deepcopy(forbidden._primed) == {}
    for c in convs:
        forbidden.take_primed(c)
    assert not forbidden._primed
