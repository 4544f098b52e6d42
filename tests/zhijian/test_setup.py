"""Set-up on a fresh machine says nothing that looks like a failure, and never pulls the CUDA torch (issue 17)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_licence_is_an_spdx_string_with_its_file_and_the_installed_setuptools_builds_it():
    import setuptools

    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0"  # a {text = …} table warns "deprecated" at every install
    assert all((REPO / f).is_file() for f in project["license-files"])
    (req,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert req.specifier.contains(setuptools.__version__), (str(req), setuptools.__version__)
    assert req.specifier.contains("77.0.0") and not req.specifier.contains("76.0.0")  # SPDX needs >= 77


def test_setup_probes_the_cpu_index_briefly_and_never_falls_back_to_cuda_when_it_answered():
    script = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "timeout=5" in script and "download.pytorch.org/whl/cpu" in script
    assert re.search(r'--index-url "\$TORCH_CPU_INDEX".*"\$TORCH"', script)
    reachable = script.split("if .venv/bin/python -c", 1)[1].split("else", 1)[0]
    assert "||" not in reachable.split('"$TORCH_CPU_INDEX" 2>/dev/null; then', 1)[1]  # no plain-name fallback there


@pytest.mark.slow
def test_an_editable_install_warns_about_nothing(tmp_path):
    """No SetuptoolsDeprecationWarning (licence table) and no "same name as your package" notice."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("*.safetensors", "__pycache__", "*.json", "wide")
    for package in ("pipeline", "models", "flows", "rubrics", "zhijian"):
        shutil.copytree(REPO / package, src / package, ignore=ignore)
    code = ("import sys; from setuptools import build_meta as b; b.build_editable(sys.argv[1])")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code, str(tmp_path / "wheel")], cwd=src,
                         capture_output=True, text=True, timeout=240)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    assert "Deprecat" not in log, log[-3000:]
    assert "same name" not in log, log[-3000:]
