#!/bin/bash
# One GPU run of the sentiment recipe sweep (how zh-cs-sentiment@2 and @3 were chosen), for the `device` tool:
#   .venv/bin/python -c "from models.data import write_cache; write_cache('.devdata')"   # here, once
#   run: bash scripts/device_sweep.sh   (carry: [".devdata"], timeout ~590 s)
# Pre-trains once, fine-tunes every variant (VARIANTS, in order) until SWEEP_SECONDS run out, and
# brings back under $OUT: sweep.json, sweep.log, the pre-trained encoder and every variant that finished
# (tgz), so later variants can be fine-tuned on CPU (~27 min each on 2 idle cores). Finish the chosen
# one here with
#   python -m models.sweep --finish DIR --out models/zh-cs-sentiment
set -o pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
: "${OUT:?run this through the device tool (it sets OUT)}"
VARIANTS=${VARIANTS:-"written-mask-endings written-mask written-prune-mask-endings"}
python3 -c "import torch,transformers;print('torch',torch.__version__,'transformers',transformers.__version__,torch.cuda.get_device_name(0))"
# SWEEP_ARGS: more models.sweep options (e.g. --no-extra-corpora). A time cap, so a slow run still returns what it finished (each variant is saved as it ends).
timeout "${SWEEP_SECONDS:-520}" python3 -m models.sweep --out /tmp/sw --data-cache .devdata --variants $VARIANTS $SWEEP_ARGS 2>&1 \
  | grep -v "^fine-tune step" | tee "$OUT/sweep.log"
cp /tmp/sw/sweep.json "$OUT/" 2>/dev/null
for d in /tmp/sw/*/; do
  n=$(basename "$d")
  [ "$n" = scratch ] || tar czf "$OUT/$n.tgz" -C /tmp/sw "$n"
done
ls -la "$OUT"
