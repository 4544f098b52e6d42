"""evaluate(): labelled files in, agreement / precision / recall / disagreements out."""
from __future__ import annotations

import json

from pipeline.rubric.evaluate import evaluate, format_report, main, read_labelled

from .conftest import DEFAULT_RUBRIC


def labelled_file(tmp_path, name, turns, labels, flags):
    messages = []
    for i, (role, text, ts) in enumerate(turns, start=1):
        m = {"conversation_id": name, "seq": i, "timestamp": ts, "role": role, "text": text}
        if role == "agent":
            m["agent_id"] = "A01"
        messages.append(m)
    data = {"conversation_id": name, "messages": messages, "labels": labels, "expected_flags": flags}
    (tmp_path / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_evaluate_reports_agreement_and_disagreements(tmp_path, capsys):
    labelled_file(
        tmp_path, "c1",
        [("customer", "在吗", "2026-10-03T14:00:00+08:00"), ("agent", "您好，在的", "2026-10-03T14:07:00+08:00")],
        {"greeting": "pass", "first_response_sla": "pass"},  # the SLA label is deliberately wrong
        [],
    )
    labelled_file(
        tmp_path, "c2",
        [("customer", "你是猪吗", 1790000000), ("agent", "不归我管", 1790000020)],
        {"greeting": "fail", "forbidden_phrases": "fail"},
        ["forbidden_phrase", "abusive_customer"],
    )
    conv, labels, flags = read_labelled(tmp_path / "c2.json")
    assert conv.messages[1].timestamp.tzinfo is not None and flags == ["forbidden_phrase", "abusive_customer"]

    report = evaluate(tmp_path, DEFAULT_RUBRIC, sentiment=False)
    assert report.files == 2 and report.rubric_id == "default@15"
    assert report.criteria["greeting"] == {"accuracy": 1.0, "n": 2, "correct": 2}
    assert report.criteria["first_response_sla"]["accuracy"] == 0.0
    assert report.flags["forbidden_phrase"]["precision"] == 1.0 and report.flags["forbidden_phrase"]["recall"] == 1.0
    assert report.flags["sla_breach"]["fp"] == 1
    sla = [d for d in report.disagreements if d.criterion == "first_response_sla"]
    assert sla and sla[0].file == "c1.json" and sla[0].got == "fail" and "420 秒" in sla[0].evidence[0]["note"]
    assert "lexicon fallback" in report.sentiment_source
    text = format_report(report)
    assert "c1.json  first_response_sla: expected pass, got fail" in text

    assert main(tmp_path, DEFAULT_RUBRIC, similarity=False) == 0
    out = capsys.readouterr().out
    assert "paraphrase layer (similarity + cues): off" in out and "accuracy" in out


def test_main_accepts_command_line_arguments(tmp_path, capsys):
    labelled_file(
        tmp_path, "c1",
        [("customer", "在吗", "2026-10-03T14:00:00+08:00"), ("agent", "您好，在的", "2026-10-03T14:01:00+08:00")],
        {"greeting": "pass"}, [],
    )
    out_json = tmp_path.parent / f"{tmp_path.name}-report.json"
    assert main([str(tmp_path), "--rubric", str(DEFAULT_RUBRIC), "--no-sentiment", "--json", str(out_json)]) == 0
    assert json.loads(out_json.read_text(encoding="utf-8"))["criteria"]["greeting"]["accuracy"] == 1.0
    assert main([str(tmp_path), "--compare", "--no-sentiment"]) == 0
    assert "+similar" in capsys.readouterr().out
    assert main([str(tmp_path / "missing")]) == 2


def test_flag_disagreements_come_in_code_order(tmp_path):
    # one conversation expecting flags the rubric does not raise on it: their disagreements must not follow
    # string hashing (a set's order), so two runs of eval-rubric print the same report
    labelled_file(
        tmp_path, "c1",
        [("customer", "在吗", 1790000000), ("agent", "您好，在的", 1790000020)],
        {"greeting": "pass"},
        ["sla_breach", "negative_end", "abusive_customer", "forbidden_phrase", "empathy_missing"],
    )
    report = evaluate(tmp_path, DEFAULT_RUBRIC, sentiment=False)
    codes = [d.criterion for d in report.disagreements if d.criterion.startswith("flag:")]
    assert len(codes) == 5 and codes == sorted(codes)
