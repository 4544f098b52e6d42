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

# act13 (forbidden_phrases.acts.reproach): a question that reproaches the customer's competence — 连…都不会 / 这个都要问
# / an inability or inattention of the customer's asked back (还找不着？ / 没认真看吗): with it the act model needs less
# certainty for condescension and arguing. 看不到 / 看不见 are left out: asked plainly they check what the screen shows
REPROACH = [
    "re:连[^，。,.!！?？~～]{1,8}都(不|没)",
    "re:(这|这个|这种|这点)(也|都)(要|得|还要|需要)?(问|不会|不懂|不知道)",
    "re:(还|都)?(不会|不懂|找不到|找不着|没找到|看不懂|听不懂|没认真|没仔细|没好好)[^，。,.!！?？~～]{0,6}(吗|嘛|么|呀|啊|[?？])",
    "re:(先|去|得先|要先)学(会|一下|学)",
]

# act13 (forbidden_phrases.acts.closure): a policy "no" declared final, universal or the rule's own wall — 谁来都一样 /
# 不接受任何理由 / 最终结果 不会再变 / 一分都不能少 / 一律 / 别想了 / 规则不允许 / 系统不给退: with one, the "no" shuts the request
# down, it does not answer it, so it is not left to positive_framing as a plain policy answer
CLOSURE = [
    "re:谁(来)?(都|也)(改|退|换|办|弄|处理|帮|没|一样)", "re:任何(理由|原因|情况|处理)", "re:(最终|最后)的?(处理)?(结果|决定|答复)",
    "re:不会再(变|改|处理|上|有|补|给)", "re:一(分|毛|块|件)(钱)?(都|也)(不|少不|没)", "一律", "re:(别|不用)(想|白费|费劲|折腾)",
    "re:(规则|规定|系统|公司|上面|上头|平台|政策)(就是|就|是|也)?(不允许|不让|不给|定的|规定的)",
]

# act13: the agent overrules the customer's account of the goods or the facts without checking — the complaint
# renamed (那不叫X / 不算X / 不存在X / 不属于X), denied outright then replaced (不是X，是Y / 根本不是), waved off as
# harmless (又不影响使用) or put down to the customer's error (您肯定是看错了): with it the act model needs less certainty
# for arguing (`forbidden_phrases.acts.contradiction_threshold`), as a refusal does when it says 没办法 outright
CONTRADICTION = [
    "re:(?<![是会叫算属存])(不|并不|根本不|压根不)(叫|算|存在|属于)(?![^，。,.!！?？~～]{0,8}(吗|么|[?？]))",
    "re:(?<![我您你])(不是|并不是|根本不是|哪是|哪里是)[^，。,.!！?？~～我您你]{1,8}[，,\\s]+(只是|而是|就是|是)(?!我们|我|咱们|本店|小店)",
    "re:(又|也|并|都)?不影响(使用|穿|用|效果|质量)",
    "re:(根本|压根)(没有|没|不是|不)",
    "re:(您|你)(肯定|一定|应该|绝对)是(看|弄|搞|记|拍|理解|听)错",
]

# act13 (forbidden_phrases.pointer_answered): the answer itself after a pointer to the listing — a figure (195*133mm / 两年)
POINTER_ANSWER = ["re:[0-9]", "re:[一二两三四五六七八九十百千半]+(个|厘米|公分|毫米|米|克|斤|公斤|寸|码|号|天|小时|年|月|元|块|层|片|包|瓶|升)"]
