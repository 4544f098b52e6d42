"""The default word lists have one home: the criteria's defaults (pipeline/rubric/criteria/lexicons.py).

rubrics/default.yaml states every list anyway, so the rubric snapshot stored with each rubric version
is complete on its own; this test keeps the two equal, entry for entry and in order. When it fails:
change the list in lexicons.py (or the criterion's Params default), copy it into default.yaml, and
bump the rubric's version when scores change.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

import pipeline.rubric.criteria  # noqa: F401  (registers the built-in criteria and flags)
from pipeline.rubric.registry import CRITERIA, FLAGS

DEFAULT_RUBRIC = Path(__file__).resolve().parents[3] / "rubrics" / "default.yaml"


def _components() -> list[tuple[str, type, dict]]:
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    out = [(f"criteria[{i}] ({c['id']})", CRITERIA[c["type"]], c.get("params") or {}) for i, c in enumerate(data["criteria"])]
    out += [(f"flags[{i}] ({f['code']})", FLAGS[f["type"]], f.get("params") or {}) for i, f in enumerate(data.get("flags", []))]
    return out


def _word_lists(value: Any, path: str = "params") -> Iterator[tuple[str, Any]]:
    """(path, list) for every phrase list (a list of strings) and variants mapping under a params dump."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        yield path, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key == "variants":
                yield f"{path}.{key}", sub
            else:
                yield from _word_lists(sub, f"{path}.{key}")


def _defaults(params_cls: type, stated: dict) -> Any:
    """The criterion's defaults (required fields, which have none, taken from the rubric)."""
    required = {k: v for k, v in stated.items() if params_cls.model_fields[k].is_required()}
    return params_cls(**required)


@pytest.mark.parametrize("where,component,stated", _components(), ids=lambda x: x if isinstance(x, str) else "")
def test_default_rubric_states_exactly_the_criteria_default_lists(where, component, stated):
    params_cls = component.Params
    expected = dict(_word_lists(_defaults(params_cls, stated).model_dump()))
    got = dict(_word_lists(params_cls(**stated).model_dump()))
    drift = []
    for path, default in expected.items():
        value = got.get(path)
        if value != default:
            if isinstance(default, list) and isinstance(value, list):
                only_yaml = [v for v in value if v not in default][:3]
                only_code = [v for v in default if v not in value][:3]
                what = (f"only in default.yaml {only_yaml}, only in the default {only_code}"
                        if only_yaml or only_code else "same entries, different order")
            else:
                what = f"default.yaml {value!r} vs default {default!r}"
            drift.append(f"rubrics/default.yaml → {where} → {path}: {what}")
    assert drift == [], "\n".join(drift)


@pytest.mark.parametrize("where,component,stated", _components(), ids=lambda x: x if isinstance(x, str) else "")
def test_default_rubric_states_every_default_list(where, component, stated):
    """Nothing left to the code's defaults: the stored snapshot of the rubric must say what was matched."""
    defaults = _defaults(component.Params, stated).model_dump()
    dumped = component.Params(**stated).model_dump(exclude_unset=True)
    missing = [path for path, value in _word_lists(defaults) if value and path not in dict(_word_lists(dumped))]
    assert missing == [], f"rubrics/default.yaml → {where} leaves {missing} to the code's defaults: state them"
