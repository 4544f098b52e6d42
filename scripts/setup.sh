#!/usr/bin/env bash
# One-step set-up on a fresh Debian machine: system packages, a virtualenv in .venv, the project.
# Idempotent: a second run only checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: CJK fonts for PDF cards and charts, pango for the PDF renderer, poppler to look at PDFs.
need_apt=()
for pkg in fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# Exactly this torch: a CPU wheel; any other spec pulls a multi-GB CUDA build.
.venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null \
  || .venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e ".[dev,postgres]"
echo "set-up done: .venv is ready (zhijian at .venv/bin/zhijian)"
