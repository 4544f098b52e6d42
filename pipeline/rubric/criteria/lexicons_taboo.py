"""Default word lists of the taboo criterion (forbidden_phrases) added by mechanism in rubric default@7:
re-exported by `lexicons` and appended to its FORBIDDEN_CUES / FORBIDDEN_EXCLUDE (whose docstring says
how they relate to rubrics/default.yaml)."""
from __future__ import annotations

_P = "[，。,.!！?？~～…;；]"
# a count of two or more (digits, Chinese numerals, the hyperbolic 八百 / 一万, n)
_MANY = "(一百|一千|一万|[2-9]|[1-9][0-9]+|两|二|三|四|五|六|七|八|九|十|百|千|万|n)"

TABOO_MECHANISMS_2 = [
    # complaining about repeating oneself with a number: 讲了八遍了 / 回复过您三次 (not the customer's 您说了三遍)
    f"re:(?<![您你])(说|讲|解释|回答|回复|告诉|强调|重复)(了|过)(您|你)?(不下)?{_MANY}[^{_P[1:-1]}]{{0,2}}(遍|次|回)",
    # "whatever you like" as a shrug: 您爱选哪个就选哪个 / 爱拍啥拍啥
    "re:爱(选|买|拍|要|挑|用|退|换|找)(哪|啥|什么|谁)[个款种样家]?(就)?(选|买|拍|要|挑|用|退|换|找)(哪|啥|什么|谁)",
    # Cantonese forms of "not our business" / "we can't do anything": 唔关我哋事 / 我哋冇办法
    "re:唔(关|干|归)(我|我哋|我们|本店|店铺)[^，。,.!！?？]{0,2}(事|管)", "re:(我哋|我们|我)(都|亦)?(冇|没)(办法|计|符)",
]

TABOO_MECHANISM_EXCLUDE = [
    # asking whether something is the customer's doing is a question, not blame
    "re:(是|属于)(您|你)(自己)?的?(问题|原因|责任)(吗|么|嘛|[?？])",
    # an authority named for a fact (具体以航空公司规定为准): a reference, not the rule as a wall
    f"re:(以|依|参照|按|按照)[^{_P[1:-1]}]{{0,10}}(的)?(规定|要求|政策|规则|通知|公告)为准",
]
