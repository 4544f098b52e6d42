"""positive_framing's decline model reads once per batch (`prime` keeps each conversation's probabilities): the rows
`_decline_probs` hands `score` equal, with == to the last bit, what the model reads for the conversation alone."""
import numpy as np

from pipeline.rubric.criteria._common import human_agent_messages
from tests.pipeline.rubric.criteria.test_batch_prime import _bits, _sample_conversations


def test_primed_decline_probs_equal_one_at_a_time(rubric):
    convs = _sample_conversations()
    framing = rubric.criterion("positive_framing")
    model = framing.compiled.decline_model
    assert model is not None
    alone = []
    for c in convs:  # each conversation alone, on a memo that holds nothing of the others
        model.__dict__.pop("_proba_cache", None)
        msgs = human_agent_messages(c)
        wanted = [i % 3 != 1 for i in range(len(msgs))]  # some rows asked for, some not
        alone.append((msgs, wanted, framing._decline_probs(c, msgs, wanted) if msgs else None))
    model.__dict__.pop("_proba_cache", None)
    framing.prime(convs)
    kept = 0
    for c, (msgs, wanted, one) in zip(convs, alone):
        if one is None:
            assert framing.take_primed(c) is None
            continue
        probs, replies = framing._decline_probs(c, msgs, wanted)  # takes the primed slice
        kept += 1
        assert _bits(probs) == _bits(one[0]) and replies == one[1]
        assert (probs[:, 0][[not w for w in wanted]] == 1.0).all()
        assert framing.take_primed(c) is None  # handed out once
    assert kept >= 40


def test_scoring_a_primed_batch_gives_what_scoring_alone_gives(rubric):
    convs = _sample_conversations(4)
    framing = rubric.criterion("positive_framing")
    alone = [framing.score(c) for c in convs]
    framing.prime(convs)
    assert [framing.score(c) for c in convs] == alone
    assert not framing._primed  # every kept slice was taken


def test_referral_clauses_kept_per_string_equal_fresh(rubric):
    framing = rubric.criterion("positive_framing")
    pattern, shop = framing.compiled.referral
    texts = [m.norm or m.text for c in _sample_conversations(6) for m in c.messages] + ["您可以联系快递问一下", ""]
    for _ in range(2):
        for s in texts:
            got = framing._referral_clauses(s)
            assert got == framing._referral_clauses_of(s, pattern, shop)
            got.append((0, 0))  # the caller's list is its own
    assert framing._referral_clauses("您可以联系快递问一下") == framing._referral_clauses_of("您可以联系快递问一下", pattern, shop) != []
