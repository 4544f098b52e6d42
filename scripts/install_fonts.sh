#!/usr/bin/env bash
# System packages the monthly QA cards need (Debian/Ubuntu), idempotent:
#   fonts-noto-cjk          Chinese glyphs for matplotlib charts and the font WeasyPrint embeds in card PDFs
#   libpango-1.0-0, libpangoft2-1.0-0   text layout for WeasyPrint (HTML → PDF)
#   fontconfig              so both find the installed fonts (fc-list)
# Optional, for looking at the output: poppler-utils (pdftoppm: PDF → PNG), chromium (HTML screenshots):
#   INSTALL_PREVIEW_TOOLS=1 scripts/install_fonts.sh
set -euo pipefail
pkgs=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 fontconfig)
if [ "${INSTALL_PREVIEW_TOOLS:-0}" = 1 ]; then pkgs+=(poppler-utils chromium); fi
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_fonts: all present (${pkgs[*]})"
else
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install_fonts: installed ${missing[*]}"
fi
fc-list :lang=zh family | grep -q . || { echo "install_fonts: no Chinese font visible to fontconfig" >&2; exit 1; }
# matplotlib caches its font list: drop a stale cache so it sees the new fonts (the cards also rebuild it once).
rm -f "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json 2>/dev/null || true
