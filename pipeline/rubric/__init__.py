"""The rubric engine: rubrics as data (rubrics/*.yaml), criteria as registered components.

    from pipeline.rubric import load_rubric
    rubric = load_rubric("rubrics/default.yaml")   # RubricError lists every problem with its location
    rubric.score(conversation)                     # fills criteria, flags, score, rubric_version

Score = 100 × Σ points(applicable criteria) / Σ max_points(applicable criteria); `na`
criteria add nothing. See engine.py.
"""
from pipeline.rubric.registry import CRITERIA, FLAGS, Criterion, FlagDetector, register_criterion, register_flag
from pipeline.rubric.schema import ConfigError, LexiconParams, ParaphraseParams, RubricError
from pipeline.rubric.engine import Rubric, build_rubric, conversation_score, load_rubric, load_rubric_text

__all__ = [
    "CRITERIA",
    "FLAGS",
    "ConfigError",
    "Criterion",
    "FlagDetector",
    "LexiconParams",
    "ParaphraseParams",
    "Rubric",
    "RubricError",
    "build_rubric",
    "conversation_score",
    "load_rubric",
    "load_rubric_text",
    "register_criterion",
    "register_flag",
]
