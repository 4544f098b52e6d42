"""The analysis form of a message (`Message.norm`) and its offset map back to the text.

What changes between `text` (as shown, masked) and `norm` (what rules and models read):

- full-width ASCII letters, digits and punctuation → half-width (ＡＢＣ１２３！ → abc123!);
  the ideographic space → a space. Chinese punctuation that has no ASCII twin
  (。、“”‘’《》【】…—·) is kept as is. So `，` → `,` and `！` → `!` but `。` stays `。`.
- traditional → simplified, character by character with OpenCC t2s (only 1:1
  mappings are used, so every norm character still has exactly one source character).
- ASCII letters lower-cased.
- removed: HTML tags (<br>, <p>, <div> become a space), platform emoticon codes
  ([微笑], [OK], /:smile, /::), #E-s21), mask placeholders ([地址], [姓名], [邮箱],
  [身份证号], [银行卡号], 138****5678), zero-width and control characters.
  HTML entities are decoded (&amp; → &, &nbsp; → space).
- whitespace collapsed to one space, dropped next to CJK characters and at both ends,
  so 很高兴 为您服务 reads 很高兴为您服务.

`norm_to_text[i]` is the index in `text` of the character that produced `norm[i]`
(for a decoded entity or a tag turned into a space: its first character); the last
entry is `len(text)`. Invariant: for every norm character that does not come from
markup or whitespace, `fold_char(text[norm_to_text[i]]) == norm[i]`.

The character-level part (width, case, traditional → simplified, spaces and invisible
characters) is `fold_table`, the one fold for analysis: rubric phrases and hand-built
messages go through it too (`pipeline.rubric.matching.local_analysis_form`), so a
phrase folds exactly as the same words fold in `norm` (then 請 and 请 both match).
The segmenter's user dictionary takes terms through `normalise_text` itself.

The sentiment model does not read `norm`: it reads `Message.text` through its own,
frozen input form (`models.base.normalize_text`: NFKC, SnowNLP's t2s table, no lower
case, markup kept), the one it was trained on; that module's docstring lists how the
two differ.
"""
from __future__ import annotations

import html
import re
import threading

from models.base import BoundedMemo

from .conversation import Conversation, Message

_TABLE_LOCK = threading.Lock()
_FOLD_TABLE: dict[int, int] | None = None

# Zero-width and control characters become this sentinel, then are removed with markup.
_DROP = "\x00"
_ZERO_WIDTH = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD]


def _cjk_codepoints() -> list[int]:
    ranges = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    return [cp for lo, hi in ranges for cp in range(lo, hi + 1)]


def _build_fold_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = cp - 0xFEE0
    table[0x3000] = 0x20
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = cp + 32
    for cp in range(0xFF21, 0xFF3B):  # full-width capitals straight to lower-case
        table[cp] = cp - 0xFEE0 + 32
    for cp in _ZERO_WIDTH:
        table[cp] = 0
    for cp in list(range(0x01, 0x09)) + [0x0B, 0x0C] + list(range(0x0E, 0x20)) + [0x7F]:
        table[cp] = 0
    for cp in (0x09, 0x0A, 0x0D, 0x00A0, 0x2028, 0x2029, 0x202F, 0x205F) + tuple(range(0x2000, 0x200B)):
        table[cp] = 0x20
    # Traditional → simplified, one character at a time; one OpenCC call for the whole block.
    try:
        import opencc

        converter = opencc.OpenCC("t2s")
        cps = _cjk_codepoints()
        source = "\n".join(chr(cp) for cp in cps)
        converted = converter.convert(source).split("\n")
        if len(converted) == len(cps):
            for cp, out in zip(cps, converted):
                if len(out) == 1 and ord(out) != cp:
                    table[cp] = ord(out)
    except Exception:  # noqa: BLE001 - without OpenCC we still normalise widths; t2s is best effort
        pass
    return table


def fold_table() -> dict[int, int]:
    """The 1:1 character map (width, case, t2s) used by `normalise_text`; built once per process."""
    global _FOLD_TABLE
    if _FOLD_TABLE is None:
        with _TABLE_LOCK:
            if _FOLD_TABLE is None:
                _FOLD_TABLE = _build_fold_table()
    return _FOLD_TABLE


def fold_char(ch: str) -> str:
    """One character as it appears in `norm` (before markup and whitespace handling)."""
    return ch.translate(fold_table())


# Markup matched on the folded text (half-width, lower-case), so ＜ＢＲ＞ counts too.
_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "td", "hr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
_QQ_SYMBOL_CODES = r"/::\)|/::~|/::b|/::\||/:8-\)|/::<|/::\$|/::x|/::z|/::'\(|/::-\||/::@|/::p|/::d|/::o|/::\(|/::\+|/:--b|/::q|/::t|/:,@p|/:,@-d|/::d|/::!|/::l|/::>|/::,@|/:,@f|/:,@o|/:,@!|/:!!!|/:xx|/:bye|/:wipe|/:dig|/:handclap|/:&-\(|/:b-\)|/:<@|/:@>|/::-o|/:>-\||/:p-\(|/::'\||/:x-\)|/::\*|/:@x|/:8\*"
# The lookahead lists every branch's first character (the masked phone's is its 1 or 0): the regex engine
# tries eight branches at every position of a text that passed the gate, a class in one lookup; it only
# refuses positions where no branch can start, so the matches are the same.
_MARKUP_RE = re.compile(
    r"(?=[<&\[/#01\x00])(?:"
    r"(?P<tag></?(?P<tagname>[a-z][a-z0-9]{0,9})(?:\s[^<>]{0,300})?/?>)"
    r"|(?P<comment><!--.{0,500}?-->)"
    r"|(?P<entity>&(?:[a-z]{2,8}|#\d{1,7}|#x[0-9a-f]{1,6});)"
    r"|(?P<emoticon>\[[\u4e00-\u9fffa-z]{1,6}\])"  # [微笑] [ok] and the mask placeholders [地址] [身份证号]
    rf"|(?P<qq>{_QQ_SYMBOL_CODES}|/:[a-z_]{{2,12}})"
    r"|(?P<qianniu>#e-[a-z]{1,2}\d{1,3})"
    r"|(?P<masked>(?<!\d)(?:1\d{2}|0\d{2,3})\*{3,4}\d{4}(?!\d))"
    r"|(?P<drop>\x00+)"
    r")"
)
_MARKUP_GATE = re.compile(r"[<&\[/#*\x00]")
_SPACE_RE = re.compile(r" +")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    # CJK ideographs, CJK punctuation, full-width forms that stayed (e.g. ｡), kana.
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF or 0x2014 <= o <= 0x2026


# Template lines (greetings, auto-replies, system notices) repeat all day: results kept per distinct text.
_CACHE_MAX = 50_000
_cache: BoundedMemo = BoundedMemo((__name__, "_CACHE_MAX"))  # text -> (norm, norm_to_text)


def normalise_text(text: str) -> tuple[str, list[int]]:
    """(norm, norm_to_text) for one message text; see the module doc for what changes."""
    hit = _cache.get(text)
    if hit is None:
        norm, index = _normalise(text)
        hit = _cache.put(text, (norm, tuple(index)))
    return hit[0], list(hit[1])  # a list of its own: a caller may edit its offsets


def _normalise(text: str) -> tuple[str, list[int]]:
    if not text:
        return "", [0]
    folded = text.translate(fold_table())  # same length as text: index i ↔ text[i]

    # 1. markup out (or to a space / its decoded character)
    pieces: list[str] = []
    index: list[int] = []
    if _MARKUP_GATE.search(folded):
        pos = 0
        for m in _MARKUP_RE.finditer(folded):
            start, end = m.span()
            if start > pos:
                pieces.append(folded[pos:start])
                index.extend(range(pos, start))
            kind = m.lastgroup
            if kind == "tag" and m.group("tagname") in _BLOCK_TAGS:
                pieces.append(" ")
                index.append(start)
            elif kind == "entity":
                decoded = html.unescape(m.group(0)).translate(fold_table())
                if decoded == m.group(0):  # not a real entity: keep the text
                    pieces.append(decoded)
                    index.extend(range(start, end))
                else:
                    decoded = decoded.replace("\xa0", " ")
                    pieces.append(decoded)
                    index.extend([start] * len(decoded))
            pos = end
        if pos < len(folded):
            pieces.append(folded[pos:])
            index.extend(range(pos, len(folded)))
        stage = "".join(pieces)
    else:
        stage = folded
        index = list(range(len(folded)))

    # 2. whitespace: one space between non-CJK neighbours, none next to CJK or at the ends
    if " " in stage:
        out: list[str] = []
        out_index: list[int] = []
        pos = 0
        n = len(stage)
        for m in _SPACE_RE.finditer(stage):
            start, end = m.span()
            out.append(stage[pos:start])
            out_index.extend(index[pos:start])
            if 0 < start and end < n and not _is_cjk(stage[start - 1]) and not _is_cjk(stage[end]):
                out.append(" ")
                out_index.append(index[start])
            pos = end
        out.append(stage[pos:])
        out_index.extend(index[pos:])
        stage = "".join(out)
        index = out_index

    index.append(len(text))
    return stage, index


def normalise_message(message: Message) -> Message:
    message.norm, message.norm_to_text = normalise_text(message.text or "")
    return message


def normalise_conversation(conv: Conversation) -> Conversation:
    """Fill `Message.norm` and `Message.norm_to_text` for every message; returns `conv`."""
    for message in conv.messages:
        normalise_message(message)
    return conv
