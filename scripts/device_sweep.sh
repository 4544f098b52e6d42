#!/bin/bash
# One GPU run of the sentiment recipe sweep (how zh-cs-sentiment@2 was chosen), for the `device` tool:
#   .venv/bin/python -c "from models.data import write_cache; write_cache('.devdata')"   # here, once
#   run: bash scripts/device_sweep.sh   (carry: [".devdata"], timeout ~580 s; an H200 needs ~560 s)
# Pre-trains once, fine-tunes every variant, and brings back under $OUT: sweep.json, sweep.log, the 3
# best encoders on validation (tgz) and the pre-trained encoder (so later variants can be fine-tuned
# on CPU, ~27 min each on 2 idle cores). Finish the chosen one here with
#   python -m models.sweep --finish DIR --out models/zh-cs-sentiment
set -o pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
: "${OUT:?run this through the device tool (it sets OUT)}"
python3 -c "import torch,transformers;print('torch',torch.__version__,'transformers',transformers.__version__,torch.cuda.get_device_name(0))"
python3 -m models.sweep --out /tmp/sw --data-cache .devdata ${VARIANTS:+--variants $VARIANTS} 2>&1 \
  | grep -v "^fine-tune step" | tee "$OUT/sweep.log"
cp /tmp/sw/sweep.json "$OUT/" 2>/dev/null
python3 - <<'PY'
import json, os, subprocess
r = json.load(open("/tmp/sw/sweep.json"))
best = sorted(r, key=lambda n: -r[n]["metrics"]["selection_score"])[:3]
print("returning", best)
for n in best + ["pretrained", "tokenizer"]:
    subprocess.run(["tar", "czf", f"{os.environ['OUT']}/{n}.tgz", "-C", "/tmp/sw", n], check=False)
PY
ls -la "$OUT"
