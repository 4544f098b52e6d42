import pytest

from pipeline.cards.tiers import DEFAULT_TIERS_PATH, TierConfigError, load_tier_rules


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


def test_rule_text_names_stars_and_conditions():
    rule = load_tier_rules().rules[0]
    assert rule.label == "★★★★★"
    assert "score_mean ≥ 90" in rule.rule_text and "red_lines = 0" in rule.rule_text


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
