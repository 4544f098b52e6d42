"""pipeline.state_eval on a shop's labelled turns (data/adapt/*: polarity only, no needs_empathy column)."""
from __future__ import annotations

from pipeline.state_eval import evaluate_turns, format_report


def test_a_file_without_empathy_labels_gets_the_sentiment_figures_only(tmp_path):
    path = tmp_path / "test.tsv"
    path.write_text("prev_agent\ttext\tsentiment\n亲，这个没办法退的哦\t那算了\tnegative\n"
                    "还有什么可以帮您的吗\t没有了\tneutral\n\t收到了 个个都甜 谢谢老板\tpositive\n", encoding="utf-8")
    report = evaluate_turns(path)
    assert report["n"] == 3 and report["needs_empathy"] is None and report["needs_empathy_short"] is None
    assert 0 <= report["macro_f1"]["context"] <= 1 and 0 <= report["macro_f1"]["model"] <= 1
    text = format_report(report)
    assert "context-read" in text and "needs_empathy" not in text
