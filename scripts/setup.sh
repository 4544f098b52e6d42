#!/usr/bin/env bash
# One-step set-up on a fresh Debian machine: system packages, a virtualenv in .venv, the project.
# Idempotent: a second run only checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: CJK fonts for PDF cards, charts and the browser, pango for the PDF renderer, poppler to look at PDFs.
need_apt=()
# libharfbuzz-subset0 (Debian 12+): without it WeasyPrint warns "HarfBuzz-Subset will be required" on every PDF.
optional=$(apt-cache show libharfbuzz-subset0 >/dev/null 2>&1 && echo libharfbuzz-subset0 || true)
for pkg in fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 poppler-utils $optional; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Chromium for the browser test of the reviewer workspace (tests/e2e): Debian's package, driven by Playwright
# through executable_path (Playwright's own browser download does not work offline, so it is never used).
# Optional: where apt cannot run (no root, no sudo, no mirror) set-up goes on and those tests skip, saying why.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="-"; fi
  if [ "$SUDO" != "-" ] && command -v apt-get >/dev/null 2>&1 \
     && $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
    echo "installed chromium (for the browser tests in tests/e2e)"
  else
    echo "note: chromium not installed (needs apt-get as root or sudo): the browser tests in tests/e2e will skip"
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# Exactly this torch, the CPU build: from PyPI the plain name pulls the multi-GB CUDA build on Linux.
# Use PyTorch's CPU index where it answers within 5 s; otherwise (offline mirrors, a local wheel
# house) the plain name, which is what such machines carry. Never waits longer than that.
TORCH=torch==2.13.0
TORCH_CPU_INDEX=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}
if ! .venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  if .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/', timeout=5)" \
       "$TORCH_CPU_INDEX" 2>/dev/null; then
    # Reachable: the CPU build only (its +cpu version wins over PyPI's for the same number); if this fails,
    # stop here rather than fall back to a multi-GB CUDA download.
    echo "installing $TORCH (CPU build from $TORCH_CPU_INDEX)"
    .venv/bin/python -m pip install -q --index-url "$TORCH_CPU_INDEX" --extra-index-url https://pypi.org/simple "$TORCH"
  else
    echo "installing $TORCH (PyTorch's CPU index did not answer in 5 s: using the configured index)"
    .venv/bin/python -m pip install -q "$TORCH"
  fi
fi
.venv/bin/python -m pip install -q -e ".[dev,postgres]"
echo "set-up done: .venv is ready. Run .venv/bin/zhijian (or \`source .venv/bin/activate\` once, then zhijian)."
