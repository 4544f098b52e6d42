"""How the customer-state model reads a batch (models.state, speed only): the rows it computes once and copies, its
n-gram cutting and its ordered float32 sums give the very bits of the plain computation."""
import numpy as np
import pytest

from models.state import CustomerStateModel, _grams, features, load_state_model
from models.state_reading import ordered_row_sums


def _sliced(s: str, lo: int, hi: int, prefix: str) -> list[str]:
    s = f"^{s}$"
    return [prefix + s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]


@pytest.mark.parametrize("text", ["", "好", "好的", "好的谢谢 [3]", "ok谢谢!!", "我上次问你们另一个客服，她就回我一句“不知道”，什么态度"])
@pytest.mark.parametrize("lo,hi", [(1, 3), (1, 2), (2, 3), (3, 3), (1, 5)])
@pytest.mark.parametrize("prefix", ["", "C:", "P:"])
def test_grams_are_the_slices_in_their_order(text, lo, hi, prefix):
    assert _grams(text, lo, hi, prefix) == _sliced(text, lo, hi, prefix)


def _add_at(w: np.ndarray, flat: np.ndarray, lens: np.ndarray) -> np.ndarray:
    sums = np.zeros((len(lens), w.shape[1]), dtype=w.dtype)
    np.add.at(sums, np.repeat(np.arange(len(lens)), lens), w[flat])
    return sums


@pytest.mark.parametrize("lens", [[], [0], [0, 0, 0], [5], [3, 0, 7, 1, 7, 2], list(range(40, 0, -1)) + [0] * 5])
def test_ordered_row_sums_are_add_at_to_the_last_bit(lens):
    rng = np.random.default_rng(len(lens))
    w = (rng.standard_normal((500, 4)) * 3).astype(np.float32)
    lens = np.asarray(lens, dtype=np.int64)
    flat = rng.integers(0, 500, int(lens.sum()))
    got = ordered_row_sums(w, flat, lens)
    assert got.dtype == np.float32 and got.tobytes() == _add_at(w, flat, lens).tobytes()


def _plain_logits(model: CustomerStateModel, texts, prevs, proba) -> np.ndarray:
    """The computation with nothing kept: each turn's known features' weight rows added one by one in float32."""
    n = len(model.vocab)
    w = np.hstack([model.w_empathy, model.w_sentiment])
    z = np.tile(w[-1], (len(texts), 1)).astype(np.float64)
    for i, (t, p) in enumerate(zip(texts, prevs)):
        idx = [model.vocab[g] for g in features(t, p, model.feature_set) if g in model.vocab]
        if idx:
            total = np.zeros(w.shape[1], dtype=w.dtype)
            for j in idx:
                total += w[j]
            z[i] += total / np.sqrt(len(idx))
    return z + np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-4, 1.0)) / 4.0 @ w[n : n + 3]


def _batch():
    texts = ["好吧", "在吗", "好吧", "等了一周了还没到，太失望了", "好吧", "在吗", "收到了 谢谢", "好吧", "算了"]
    prevs = ["这个确实没办法退的哦", "", "亲 还有什么可以帮您", "", "这个确实没办法退的哦", "", "已为您补发", "这个确实没办法退的哦", None]
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.9, 0.05, 0.05], [0.6, 0.3, 0.1],
                      [0.2, 0.7, 0.1], [0.05, 0.15, 0.8], [0.6, 0.3, 0.1], [0.5, 0.4, 0.1]])
    return texts, prevs, proba


def test_a_pair_repeated_in_a_call_and_a_pair_kept_from_an_earlier_call_read_as_the_plain_computation():
    shipped = load_state_model()
    texts, prevs, proba = _batch()
    for head in (shipped, shipped.empathy_part, shipped.polarity_part):
        if head is None:
            continue
        fresh = head
        fresh.__dict__.pop("_sparse_rows", None)  # nothing kept: this call computes every new pair once
        first = fresh.logits(texts, prevs, proba)
        assert first.tobytes() == _plain_logits(fresh, texts, prevs, proba).tobytes()
        again = fresh.logits(texts, prevs, proba)  # every pair kept now
        assert again.tobytes() == first.tobytes()
        # half kept, half new, in another order
        rev_t, rev_p, rev_q = texts[::-1] + ["又坏了 气死"], prevs[::-1] + [""], np.vstack([proba[::-1], [[0.8, 0.1, 0.1]]])
        assert fresh.logits(rev_t, rev_p, rev_q).tobytes() == _plain_logits(fresh, rev_t, rev_p, rev_q).tobytes()
