import re

import pytest

from pipeline.cards.tiers import DEFAULT_TIERS_PATH, Condition, TierConfigError, load_tier_rules


def test_default_rules_first_match_wins():
    rules = load_tier_rules()
    top = {"score_mean": 93.0, "red_lines": 0, "sla_pass_rate": 0.97}
    assert rules.assign(top).stars == 5
    assert rules.assign({**top, "sla_pass_rate": 0.92}).stars == 4
    # a red line caps the tier at two stars whatever the score
    assert rules.assign({**top, "red_lines": 1}).stars == 2
    # no SLA sample: a condition on it does not hold
    assert rules.assign({**top, "sla_pass_rate": None}).stars == 3
    assert rules.assign({"score_mean": 41.0, "red_lines": 0}).stars == 1


def test_rule_text_says_the_conditions_in_chinese():
    rule = load_tier_rules().rules[0]
    assert rule.label == "★★★★★"
    assert rule.rule_text == "★★★★★ 五星客服：均分不低于 90 分、没有红线、首响达标率不低于 95%"
    assert not re.search(r"[a-z_]{4,}|[≥≤]", rule.rule_text)  # no figure names, no code operators
    assert load_tier_rules().rules[-1].rule_text == "★☆☆☆☆ 一星客服：其余情况，需重点辅导"


@pytest.mark.parametrize("condition, sentence", [
    ("red_lines == 0", "没有红线"),
    ("sla_pass_rate >= 0.95", "首响达标率不低于 95%"),
    ("conversations >= 20", "处理会话数不少于 20 段"),
    ("first_response_p90_s <= 120", "P90 首响时间不高于 120 秒"),
    ("greeting_pass_rate > 0.8", "主动问候通过率高于 80%"),
    ("flags_forbidden_phrase == 0", "没有带“禁用语（红线）”标记的会话"),
])
def test_each_condition_reads_as_a_sentence(condition, sentence):
    figure, op, value = condition.split()
    assert Condition(figure, op, float(value)).sentence() == sentence


def test_errors_listed_together_with_locations(tmp_path):
    bad = tmp_path / "tiers.yaml"
    bad.write_text(
        "tiers:\n"
        "  - stars: 9\n    name: x\n    when: [score_mean >= 90]\n"
        "  - stars: 3\n    name: y\n    when: ['score_mean >== 1', 'speed >= 3']\n",
        encoding="utf-8",
    )
    with pytest.raises(TierConfigError) as err:
        load_tier_rules(bad, known_figures={"score_mean"})
    text = str(err.value)
    assert "tiers.yaml → tiers[0] → stars: must be an integer 0–5" in text
    assert "tiers.yaml → tiers[1] → when[0]" in text
    assert "unknown figure 'speed'" in text and "agents-YYYY-MM.csv" in text


def test_default_file_is_shipped():
    assert DEFAULT_TIERS_PATH.exists()
