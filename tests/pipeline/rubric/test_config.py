"""Rubric files are validated on load; every error is reported at once, with where it is."""
from __future__ import annotations

import io
import textwrap

import pytest
import yaml

from pipeline.rubric import RubricError, build_rubric, load_rubric, register_criterion
from pipeline.rubric.cli import check_rubric
from pipeline.rubric.registry import CRITERIA, Criterion

from .conftest import DEFAULT_RUBRIC


def write(tmp_path, text: str):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(path) -> list[str]:
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    return info.value.messages


def test_default_rubric_loads_and_has_the_contract_ids(rubric):
    assert rubric.id == "default@15"
    ids = [c.id for c in rubric.criteria]
    for required in ("greeting", "closing", "empathy", "forbidden_phrases", "first_response_sla"):
        assert required in ids
    assert sum(c.max_points for c in rubric.criteria) == 100
    assert {f.code for f in rubric.flags} >= {
        "forbidden_phrase", "sla_breach", "negative_end", "abusive_customer", "empathy_missing", "low_score",
    }
    assert rubric.red_lines == {"forbidden_phrases"}
    assert next(f for f in rubric.flags if f.code == "forbidden_phrase").red_line
    assert rubric.criterion("first_response_sla").params.threshold_seconds == 300


def test_all_errors_reported_at_once_with_locations(tmp_path):
    path = write(
        tmp_path,
        """
        id: default
        version: 0
        sla: {first_response_seconds: -5}
        criteria:
          - {id: greeting, type: greeting.v1, weight: 10, params: {first_messages: 0}}
          - {id: closing, type: closing.v9, weight: 10}
          - {id: greeting, type: closing.v1, weight: 30, params: {lexicon: {phrases: ["re:(abc"]}, bogus: 1}}
          - {id: pace, type: response_pace.v1, weight: 20, params: {min_share: 2}}
          - {id: time, type: time_commitment.v1, weight: 10, params: {window: 0}}
        flags:
          - {code: sla_breach, type: criterion_fail.v1, params: {criterion: first_response_sla}}
          - {code: x, type: nope.v1}
        """,
    )
    messages = errors_of(path)
    src = "bad.yaml"
    expect = [
        "version: must be ≥ 1",
        "sla.first_response_seconds: must be > 0",
        "criteria[0] → params.first_messages: must be ≥ 1",
        "criteria[1] → type: unknown criterion type 'closing.v9'; registered: ",
        "criteria[2] → id: duplicate id 'greeting'",
        "criteria[2] → params.lexicon.phrases: [0] 're:(abc': invalid regular expression",
        "criteria[2] → params.bogus: unknown field",
        "criteria[3] → params.min_share: must be ≤ 1",
        "criteria[4] → params.window: must be ≥ 1",
        "criteria: weights must sum to 100, they sum to 80",
        "flags[0] → params.criterion: no criterion with id 'first_response_sla'",
        "flags[1] → type: unknown flag type 'nope.v1'; registered: ",
    ]
    for fragment in expect:
        assert any(src in m and fragment in m for m in messages), (fragment, messages)
    assert any("greeting.v1" in m for m in messages if "closing.v9" in m)  # names the registered ones
    assert all(m.count(" → ") >= 1 for m in messages)


def test_location_format_matches_the_house_style(tmp_path):
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    data["criteria"][6]["params"]["window"] = 0  # time_commitment
    with pytest.raises(RubricError) as info:
        build_rubric(data, "rubrics/default.yaml")
    assert "rubrics/default.yaml → criteria[6] → params.window: must be ≥ 1 (got 0)" in info.value.messages


def test_weights_must_sum_to_100():
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    data["criteria"][0]["weight"] = 11
    with pytest.raises(RubricError, match="weights must sum to 100, they sum to 101"):
        build_rubric(data, "x.yaml")


def test_yaml_syntax_and_missing_file(tmp_path):
    msgs = errors_of(write(tmp_path, "id: [unclosed\n"))
    assert "YAML syntax error" in msgs[0] and "line" in msgs[0]
    with pytest.raises(RubricError, match="file not found"):
        load_rubric(tmp_path / "nope.yaml")


def test_check_rubric_ok_and_errors(tmp_path):
    out = io.StringIO()
    assert check_rubric(DEFAULT_RUBRIC, out=out) == 0
    text = out.getvalue()
    assert text.startswith("OK") and "default@15" in text and "forbidden_phrases" in text
    out = io.StringIO()
    bad = write(tmp_path, "id: default\nversion: 1\ncriteria: []\n")
    assert check_rubric(bad, out=out) == 1
    assert "criteria: must have at least 1 item" in out.getvalue()
    assert "registered criterion types:" in out.getvalue()


def test_similarity_switch_sets_every_paraphrase_layer():
    off = load_rubric(DEFAULT_RUBRIC, similarity=False)
    for c in off.criteria:
        if hasattr(c.params, "paraphrase"):
            assert c.params.paraphrase.enabled is False


def test_custom_criterion_registers_like_builtins():
    from pydantic import BaseModel

    @register_criterion("mentions_coupon.v1")
    class MentionsCoupon(Criterion):
        class Params(BaseModel):
            word: str = "优惠券"

        def score(self, conversation):
            for m in conversation.agent_messages:
                i = m.text.find(self.params.word)
                if i >= 0:
                    from pipeline.conversation import Evidence

                    return self.passed([Evidence(m.seq, m.text, (i, i + len(self.params.word)), f"{self.id}.word")])
            return self.failed()

    try:
        data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
        data["criteria"][0]["weight"] = 5
        data["criteria"].append({"id": "coupon", "type": "mentions_coupon.v1", "weight": 5, "params": {"word": "券"}})
        rubric = build_rubric(data, "custom.yaml")
        assert rubric.criterion("coupon").params.word == "券"
        with pytest.raises(ValueError, match="already registered"):
            register_criterion("greeting.v1")(MentionsCoupon)
    finally:
        CRITERIA.pop("mentions_coupon.v1", None)


def test_register_name_must_be_versioned():
    with pytest.raises(ValueError, match="name.v1"):
        register_criterion("Greeting")


def test_red_lines_must_name_criteria():
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    data["red_lines"] = ["forbidden_phrases", "nope"]
    with pytest.raises(RubricError) as info:
        build_rubric(data, "x.yaml")
    assert "x.yaml → red_lines[1]: no criterion with id 'nope'" in info.value.messages[0]
