"""Config files (rubric, mapping, card tiers) are read by one bounded YAML loader (issue 15:
a billion-laughs `--mapping` grew to 3.5 GB in two minutes)."""
from __future__ import annotations

import resource
import time

import pytest
import yaml

from pipeline import config_yaml
from pipeline.errors import RunError
from pipeline.scoring import load_mapping_or_fail, load_rubric_or_fail


def billion_laughs(levels: int = 9) -> str:
    doc = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        name, prev = chr(97 + i), chr(96 + i)
        doc += f"{name}: &{name} [{','.join(['*' + prev] * 9)}]\n"
    return doc


def _bounded(fn):
    """Run fn with at most 1 GiB more address space than now and report its seconds (the bomb needed 3.5 GB)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as fh:
        now = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    cap = now + (1 << 30)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(hard, cap), hard))
    t0 = time.perf_counter()
    try:
        fn()
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return time.perf_counter() - t0


def test_billion_laughs_refused_with_a_location():
    with pytest.raises(config_yaml.ConfigTooLarge) as info:
        config_yaml.safe_load(billion_laughs())
    assert "billion laughs" in str(info.value) and info.value.problem_mark.line >= 1


def test_billion_laughs_mapping_and_rubric_refused_fast(tmp_path):
    bomb = tmp_path / "mapping.yaml"
    bomb.write_text("columns:\n  text: 内容\n" + billion_laughs(), encoding="utf-8")

    def load_both():
        with pytest.raises(RunError, match=r"(?s)mapping.yaml.*billion laughs.*line \d+"):
            load_mapping_or_fail(bomb)
        with pytest.raises(RunError, match=r"(?s)line \d+, column \d+.*billion laughs"):
            load_rubric_or_fail(bomb)

    assert _bounded(load_both) < 5


def test_recursive_alias_deep_nesting_and_size_cap(tmp_path):
    with pytest.raises(config_yaml.ConfigTooLarge, match="contains it"):
        config_yaml.safe_load("a: &a [1, *a]\n")
    with pytest.raises(config_yaml.ConfigTooLarge, match="nests too deeply"):
        config_yaml.safe_load("[" * 5000 + "]" * 5000)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * config_yaml.MAX_CONFIG_BYTES + b"\n")
    with pytest.raises(RunError, match="over the 4,194,304-byte limit"):
        load_mapping_or_fail(big)
    with pytest.raises(RunError, match="over the 4,194,304-byte limit"):
        load_rubric_or_fail(big)


def test_ordinary_aliases_and_the_shipped_files_still_load():
    assert config_yaml.safe_load("base: &b {x: 1}\nother: *b\n") == {"base": {"x": 1}, "other": {"x": 1}}
    with pytest.raises(yaml.constructor.ConstructorError):  # still the safe subset: no Python objects
        config_yaml.safe_load("!!python/object/apply:os.system ['true']")
    load_rubric_or_fail(None)  # rubrics/default.yaml
    load_mapping_or_fail("data/sample/messy/mapping.yaml")


def test_card_tiers_use_the_bounded_loader(tmp_path):
    from pipeline.cards.tiers import TierConfigError, load_tier_rules

    bomb = tmp_path / "tiers.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    with pytest.raises(TierConfigError, match="billion laughs"):
        load_tier_rules(bomb)
