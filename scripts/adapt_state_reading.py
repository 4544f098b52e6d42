"""Which probabilities the adapted state head should learn a shop's turns with (docs/adaptation.md, "Choosing the recipe").

    python scripts/adapt_state_reading.py DIR ...   # DIR: models adapted on data/adapt/<shop>/pool.tsv with --holdout 0.3

For each adapted sentiment model, on the same 30 % hash split of its shop's pool (the pool only, never
test.tsv): the held-out turns read in context with the shipped state model, and with the polarity head
refitted with the shop turns read by the adapted model or by the base model, shop weight 1 / 2 / 4.
"""
import json, sys
import numpy as np
from models.adapt import read_labelled_turns, plan_adaptation, turn_report
from models.adapt_state import fit_shop_state, context_labels, sparse_rows
from models.state import load_state_model
from models.state_recipe import read_rows
from models.classifier import SentimentClassifier
from models.loader import load_sentiment_model
shipped = load_sentiment_model(); base = load_state_model(); rows = read_rows()
rtexts = [r["text"] for r in rows]
rs = sparse_rows(base.vocab, rtexts, [r.get("prev_agent") or "" for r in rows], base.feature_set)
rp0 = np.asarray(shipped.predict_proba(rtexts), dtype=np.float32)
for d in sys.argv[1:]:
    shop = "pdd-farm-fruit" if "pdd" in d else "douyin-beauty"
    clf = SentimentClassifier.load(d)
    plan = plan_adaptation(read_labelled_turns(f"data/adapt/{shop}/pool.tsv"), 0.3, None, None, 2.0, 200, 13)
    pool = [(t.context, t.text, t.label) for t in plan.pool]
    ptexts = [t.text for t in plan.pool]
    pp0, pp1 = (np.asarray(m.predict_proba(ptexts), dtype=np.float32) for m in (shipped, clf))
    rp1 = np.asarray(clf.predict_proba(rtexts), dtype=np.float32)
    tx, pv, gold = [t.text for t in plan.test], [t.context for t in plan.test], [t.label for t in plan.test]
    tp = np.asarray(clf.predict_proba(tx), dtype=np.float32)
    f = lambda m: round(turn_report(gold, context_labels(m, tx, pv, tp))["macro_f1"], 3)
    row = {"model": d, "enc": round(turn_report(gold, clf.predict(tx))["macro_f1"], 3), "ctx_shipped_state": f(base)}
    for w in (1.0, 2.0, 4.0):
        row[f"refit_adapted_w{w:g}"] = f(fit_shop_state(base, rows, rp1, pool, pp1, w, rs))
        row[f"refit_shopbase_w{w:g}"] = f(fit_shop_state(base, rows, rp1, pool, pp0, w, rs))
    print(json.dumps(row), flush=True)
