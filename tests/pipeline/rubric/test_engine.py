"""pipeline.rubric.engine: Rubric.score_many (a batch scored at once gives each conversation what `score` gives it alone; the criteria that read
a model read the whole batch first) and criterion_alone (one criterion of the rubric file, its params merged)."""
import copy

from pipeline.rubric.testing import make_conversation
from pipeline.stages import rubric_stage

TURNS = [
    [("customer", "我买的电水壶漏水了", 0, "negative"), ("agent", "亲，非常抱歉，我帮您反馈给售后，24小时内回复您", 40),
     ("customer", "好的", 90, "neutral"), ("agent", "还有什么可以帮您的吗", 120)],
    [("customer", "这个杯子能进洗碗机吗", 0, "neutral"), ("agent", "您好，可以的哦", 30),
     ("customer", "那我下单了", 60, "neutral"), ("agent", "好的，感谢支持", 80)],
    [("customer", "快递三天没动了", 0, "negative"), ("agent", "我去问下仓库那边", 50),
     ("customer", "尽快吧", 70, "negative"), ("agent", "好的", 100)],
]


def _as_dicts(conv):
    return ({k: (r.status, r.points, [(e.seq, e.rule, e.note) for e in r.evidence]) for k, r in conv.criteria.items()},
            [(f.code, f.seq) for f in conv.flags], conv.score)


def test_a_batch_scores_each_conversation_as_alone(rubric):
    convs = [make_conversation(t, f"c{i}") for i, t in enumerate(TURNS)]
    alone = copy.deepcopy(convs)
    for c in alone:
        rubric.score(c)
    rubric.score_many(convs)
    assert [_as_dicts(c) for c in convs] == [_as_dicts(c) for c in alone]


def test_the_rubric_stage_pipes_through_score_many(rubric, monkeypatch):
    seen = []
    commitment = rubric.criterion("time_commitment")
    real = commitment.prime
    monkeypatch.setattr(commitment, "prime", lambda convs: (seen.append(len(convs)), real(convs)))
    stage = rubric_stage(rubric)
    convs = [make_conversation(t, f"c{i}") for i, t in enumerate(TURNS)]
    stage.pipe(convs)
    assert seen == [3] and all(c.rubric_version == rubric.id for c in convs)


def test_criterion_alone_merges_params_and_drops_the_rest():
    from pipeline.rubric.engine import criterion_alone

    r = criterion_alone("active_listening", {"kinds": {"enabled": False}})
    assert [c.id for c in r.criteria] == ["active_listening"] and not r.flags
    kinds = r.criteria[0].params.kinds
    assert kinds.enabled is False and kinds.model_version == "zh-cs-kinds@4"  # merged, the pin kept
