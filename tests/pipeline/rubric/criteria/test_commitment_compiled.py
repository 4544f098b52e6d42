"""time_commitment compiles _unanswered's look-up / act / wait patterns once (compile(), slot 8); a compiled tuple set
by hand without them reads the same patterns afresh and gives the same answer."""
from pipeline.rubric.testing import make_conversation
from pipeline.rubric.criteria._common import human_agent_messages


def test_unanswered_patterns_compiled_once_and_same_answer(rubric):
    crit = rubric.criterion("time_commitment")
    p = crit.params
    assert p.answered_lookup is not None
    lookup, act, waiting = crit.compiled[8]
    assert (lookup.pattern, act.pattern, waiting.pattern) == (p.lookup, p.lookup_not, p.waiting)
    conv = make_conversation([("customer", "还有货吗", 0), ("agent", "我问一下仓库", 10, "A1"),
                              ("agent", "仓库说还有两件，已经给您留了一件", 60, "A1")])
    msgs = human_agent_messages(conv)
    handoffs = [(0, None)]
    full = crit._unanswered(msgs, handoffs, set())
    whole = crit.compiled
    crit._compiled = whole[:8]  # the session's rubric: put back below
    try:
        assert crit._unanswered(msgs, handoffs, set()) == full
    finally:
        crit._compiled = whole
    assert full == ([], [(0, 1)])
