"""models.handoffs: the context each agent message is read with, the training rows, the two readings, the shipped model."""
import numpy as np
import pytest

from models.handoffs import (HANDS_ON, LABELS, SHIPPED_HANDOFF_MODEL_DIR, WRITERS, HandoffModel, handoff_examples,
                             load_handoff_model, read_handoff_tsv, training_data)


def test_each_agent_message_is_read_with_the_last_customer_burst():
    msgs = [("agent", "您好"), ("customer", "在吗"), ("customer", "  猫粮袋子破了 "), ("agent", "我登记一下"),
            ("agent", "仓库核实完会联系您"), ("system", "转接"), ("customer", "好"), ("agent", ""), ("agent", "不客气")]
    assert handoff_examples(msgs) == [("您好", ""), ("我登记一下", "在吗 || 猫粮袋子破了"),
                                      ("仓库核实完会联系您", "在吗 || 猫粮袋子破了"), ("不客气", "好")]


def test_reading_a_file_checks_the_labels(tmp_path):
    f = tmp_path / "h.tsv"
    f.write_text("customer\tagent\tlabel\tnote\n坏了\t我反馈一下\thands_on_no_time\tx\n坏了\t好\tmaybe\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown label 'maybe'"):
        read_handoff_tsv(f)


def test_the_writers_files_parse_and_cover_every_label():
    for path in WRITERS.values():
        examples, labels = read_handoff_tsv(path)
        # the session-11 writers wrote 200+ rows each; a later engineer's file (wlst12, default@13) is smaller
        assert len(examples) > (200 if path.stem.endswith(("whand1", "whand2")) else 30) and set(labels) == set(LABELS), path
        assert all(a and c for a, c in examples), path


def test_weak_rows_are_other_at_a_lower_weight():
    examples, labels, weights = training_data(files=[], sets=["rubric"], weak_weight=0.3)
    assert examples and set(labels) == {"other"} and set(weights) == {0.3}


ROWS = [(("我帮您反馈给仓库，明天下午前回复您", "怎么还没发"), "hands_on_with_time"),
        (("我去问下仓库，有消息告诉您", "怎么还没发"), "hands_on_no_time"),
        (("退款已经给您退了，请查收", "我要退款"), "solved_now"),
        (("您方便拍个照片吗", "坏了"), "other")] * 3


def test_hands_on_sums_the_hand_off_columns_and_with_time_is_conditional():
    m = HandoffModel(min_df=1).fit([r[0] for r in ROWS], [r[1] for r in ROWS])
    x = [r[0] for r in ROWS[:4]]
    p = m.predict_proba(x)
    cols = [m.classes_.index(c) for c in HANDS_ON]
    assert np.allclose(m.hands_on(x), p[:, cols].sum(axis=1))
    timed = m.with_time(x)
    assert timed[0] > 0.5 > timed[1]
    assert m.hands_on(x)[0] > 0.5 > m.hands_on(x)[2]
    assert m.hands_on([]).shape == (0,) and m.with_time([]).shape == (0,)
    hands, timed_again = m.readings(x)
    assert np.allclose(hands, m.hands_on(x)) and np.allclose(timed_again, timed)


def test_the_shipped_model_loads_and_reads_a_plain_hand_off():
    m = load_handoff_model()
    assert m.model_id == "zh-cs-handoffs@3" and m.classes_ == list(LABELS)
    assert load_handoff_model(SHIPPED_HANDOFF_MODEL_DIR) is m  # loaded once per process
    x = [("我把图转给果园那边核一下，有消息跟您说", "买的车厘子烂了一半"), ("订单页面点申请售后就可以退", "退货怎么退啊")]
    hands = m.hands_on(x)
    assert hands[0] > 0.5 > hands[1]


def test_probabilities_field_by_field_equal_the_whole_rows():
    m = HandoffModel(min_df=1).fit([r[0] for r in ROWS], [r[1] for r in ROWS])
    x = [r[0] for r in ROWS[:4]] + [("我去问下仓库", "坏了"), ("我去问下仓库", "没收到"), ("", "")]
    assert np.allclose(m.predict_proba(x), m._compute_proba(x), atol=1e-5)
    again = m.predict_proba(x[::-1])  # from the per-field memos
    assert np.allclose(again, m._compute_proba(x[::-1]), atol=1e-5)
    assert set(m._field_caches[0]) == {a for a, _ in x}


def test_the_field_memos_start_again_when_full(monkeypatch):
    import models.handoffs as H

    m = HandoffModel(min_df=1).fit([r[0] for r in ROWS], [r[1] for r in ROWS])
    monkeypatch.setattr(H, "FIELD_CACHE_MAX", 3)
    x = [r[0] for r in ROWS[:4]]
    assert np.allclose(m.predict_proba(x), m._compute_proba(x), atol=1e-5)
    assert len(m._field_caches[0]) <= 4  # a batch larger than the bound is kept whole, then cleared
