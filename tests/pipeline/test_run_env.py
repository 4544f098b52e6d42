"""pipeline.run_env: the process-wide settings a run borrows and gives back (the thread switch interval)."""
from __future__ import annotations

import gc
import sys

from pipeline.run_env import SWITCH_INTERVAL, frozen_heap, short_gil_turns


def test_a_run_window_shortens_the_switch_interval_and_gives_it_back():
    before = sys.getswitchinterval()
    with frozen_heap():
        assert sys.getswitchinterval() == SWITCH_INTERVAL
        assert not gc.isenabled()
        with frozen_heap():  # zhijian score's window around the run's own
            assert sys.getswitchinterval() == SWITCH_INTERVAL
        assert sys.getswitchinterval() == SWITCH_INTERVAL
    assert sys.getswitchinterval() == before


def test_the_interval_is_given_back_when_the_run_fails():
    before = sys.getswitchinterval()
    try:
        with short_gil_turns():
            raise RuntimeError("a run that dies")
    except RuntimeError:
        pass
    assert sys.getswitchinterval() == before


def test_the_environment_overrides_it_and_zero_keeps_the_interpreters(monkeypatch):
    before = sys.getswitchinterval()
    monkeypatch.setenv("ZHIJIAN_SWITCH_INTERVAL", "0.002")
    with short_gil_turns():
        assert abs(sys.getswitchinterval() - 0.002) < 1e-9
    monkeypatch.setenv("ZHIJIAN_SWITCH_INTERVAL", "0")
    with short_gil_turns():
        assert sys.getswitchinterval() == before
    assert sys.getswitchinterval() == before
