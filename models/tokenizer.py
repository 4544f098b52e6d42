"""A character-level tokenizer built by the project and saved with the model.

BERT's basic tokenizer already splits every CJK character into its own token; with a vocabulary of
single characters (plus ``##x`` continuations for Latin letters and digits, so English words and
numbers split into characters instead of becoming [UNK]) that is a character tokenizer that
``AutoTokenizer.from_pretrained`` loads with no custom code.
"""
from __future__ import annotations

import string
from collections import Counter
from pathlib import Path
from typing import Iterable

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_ASCII = string.ascii_lowercase + string.digits


def build_char_vocab(texts: Iterable[str], max_size: int = 7000, min_count: int = 2) -> list[str]:
    """Specials, ASCII letters/digits and their ``##`` continuations, then the most frequent characters."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(text.lower())
    vocab = list(SPECIAL_TOKENS) + list(_ASCII) + ["##" + c for c in _ASCII]
    seen = set(vocab)
    for ch, n in counts.most_common():
        if len(vocab) >= max_size:
            break
        if n < min_count or ch.isspace() or ch in seen:
            continue
        vocab.append(ch)
        seen.add(ch)
    return vocab


def build_tokenizer(texts: Iterable[str], out_dir: Path | str, max_size: int = 7000, min_count: int = 2,
                    model_max_length: int = 128):
    """Build the vocab from ``texts``, save a BertTokenizerFast to ``out_dir``, and return it."""
    from transformers import BertTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = build_char_vocab(texts, max_size=max_size, min_count=min_count)
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    options = dict(do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None,
                   model_max_length=model_max_length)
    try:  # transformers 5: the vocab is passed as a mapping
        tok = BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, **options)
    except TypeError:  # transformers 4
        tok = BertTokenizerFast(vocab_file=str(out / "vocab.txt"), **options)
    tok.save_pretrained(str(out))
    return tok
