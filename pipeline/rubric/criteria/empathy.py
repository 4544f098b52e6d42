"""empathy.v1: after the customer's first negative message, an agent acknowledges the feeling or apologises."""
from __future__ import annotations

import re

from pydantic import Field

from pipeline.conversation import Conversation, CriterionResult
from pipeline.customer_state import SHIPPED_STATE_MODEL
from pipeline.rubric.criteria import lexicons as L
from pipeline.rubric.criteria import lexicons_state as S
from pipeline.rubric.criteria._common import EmotionDetector, EmotionParams, GuardParams, PhraseMatcher, Rejected, emotion_cues
from pipeline.rubric.criteria import lexicons_upset as U
from pipeline.rubric.criteria._calm_cue import CalmCueParams
from pipeline.rubric.criteria._conversation_upset import ConversationUpsetParams, first_trigger
from pipeline.rubric.criteria._emotion_params import _default_acks
from pipeline.rubric.criteria._empathy_credit import EmpathyCreditParams, compile_credit, find_credit, pasted_before
from pipeline.rubric.criteria._hidden_upset import default_hidden
from pipeline.rubric.criteria.lexicons_courtesy import EMPATHY_BARE, EMPATHY_NAMED
from pipeline.rubric.criteria.lexicons_state import CHASED_BEFORE, REQUEST_AFTER_YOU, SOOTHING_MORE, acknowledgement_kind
from pipeline.rubric.guards import is_incapacity
from pipeline.rubric.matching import Match, compile_entries, message_evidence, view
from pipeline.rubric.registry import Criterion, register_criterion
from pipeline.rubric.schema import LexiconParams, ParaphraseParams, Strict


_SENTENCE_END = re.compile(r"[。!！?？\n]")
_CONTRAST = re.compile(r"但|不过|可是|只是|然而")
_CONTRAST_OPENS = re.compile(r"^[\s，,]*(但|不过|可是|只是|然而|可)")
# a sentence that asks the customer to confirm (…对吗 / 是吗 / 对吧 / ？)
_CONTRAST_AFTER = re.compile(r"但是|可是|不过|然而|只是|但")
_CLAUSE_END = "，,。!！?？;；\n"
_LETTERS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_CONFIRMING = re.compile(r"(对吗|是吗|对吧|是吧|没错吧|吗)[\s。.]*[?？]?$|[?？]$")


_CREDIT_KIND = {"trouble": "致歉（说出给客户造成的麻烦）", "owned": "承担责任", "patience": "感谢客户久等的耐心",
                "split": "致歉（分两条短消息说完）", "apology_register": "致歉（方言/书面/自我检讨的说法）",
                "apology_remedy": "致歉并当即承担补救", "owned_failure": "承担责任（说出己方没做到的事）",
                "perspective": "换位（把自己放在客户的处境里）", "situation_feeling": "说出这种处境让人难受"}  # emp14

# emp14: why a turn was passed over, by the last part of its rule id (the evidence of an na)
_PASSED_OVER = {"settled_at_once": "客户平静地反映问题（无情绪词、无情绪形态），客服当即解决（“{}”），客户随后平静接受：无需安抚的情绪",
                "embedded": "“{}”是客户请客服查明的内容（帮我看一下怎么回事），状态模型读为平静：不是情绪",
                "hypothetical": "“{}”说的是假设的情况（如果/万一…），不是客户此刻的情绪",
                "reported": "“{}”是转述别人的话（朋友说/评论里说），不是客户此刻的情绪",
                "disclaimed": "客户声明不是投诉/不会差评（“{}”），其余无情绪词：不是情绪",
                "others": "“{}”担心的是别的买家（下次给别人…），不是客户自己此刻的情绪"}
URGENCY_STATED_MIN_STATE = 0.3  # default@13 (emp12b): stated urgency counts from this P(needs empathy)
ANSWERED_MIN_STATE = 0.6  # emp13: a turn this upset whose reply acknowledges it (an apology will do) starts the trigger
ANSWERED_FEELING_MIN_STATE = 0.25  # emp13: … from this P when the reply names the customer's feeling
# emp14: a shape cue that is only part of another word — 理一下 (a ping: pay attention to me) inside 处理一下 / 办理一下
# (麻烦处理一下 is the commonest calm request), 急 inside 应急灯 / 急救包 (a product)
SHAPE_INSIDE_WORDS = ["re:(处|整|办|清|料|打|护|修|代|管|梳|调|治|审|受|助|经|协|合|道|原|推|答|受|自|礼|总|心)理一下",
                      "re:应急|急救|急诊|急性|急刹|急冻|急转弯"]
# emp14: emotion words in a literal sense common in shop talk — 气 in 气派 / 气味, 曝光 of a camera, 上火 and 头疼 of the
# body, a program that 崩溃 (crashes), a side effect asked about (会恶心吗); a word said in praise (后悔没早点买 / 真行 再来
#两瓶 / 很搞笑 孩子超喜欢), a trait (怕生 / 怕冷), the weather or a cold (热得受不了 / 手脚冰凉 难受): excluded from
# empathy's trigger cues only
LITERAL_SENSES = ["re:(好|真|太|很)气(派|质|色|味|场|泡|垫|囊|温|压|球|管|候|息|势|魄|韵|血|体|孔|门|氛|度)",
                  "re:曝光(率|度|补偿|不足|过度|时间|模式|参数|值|量|锁定|怎么|如何|咋)|(调|自动|手动|长|短|过度|多重|包围|调整)曝光",
                  "re:(吃|喝|吃了|喝了|吃多了|喝多了|吃多|喝多|会不会|会|容易|易|防|降|清)上火|上火(吗|么|嘛)",
                  "re:(系统|软件|程序|app|应用|电脑|游戏|网页|页面|打开|闪退|平板|电视|一打开)(就|会|又|总|老|一直|总是|老是|直接)?崩溃",
                  "re:(孩子|宝宝|老人|小孩|发烧|感冒|偏|经常|容易|治|缓解)[^，。,.!！?？]{0,2}头疼|头疼(发烧|发热|脑热|药|贴|的时候)",
                  "re:(会|会不会|容易|有没有|会有)(点|一点|些)?恶心(吗|么|嘛)",
                  "re:后悔(没|没有)(早|早点|早些)(买|入|下单|入手|拍)",
                  "re:搞笑(?=[^。!！?？]{0,8}(喜欢|爱|开心|哈哈|好玩|有趣|可爱))",
                  "re:真行(?=[^。!！?？]{0,6}(再来|再买|回购|好用|效果|推荐|棒|赞))",
                  "re:(好|很|真|太|超|挺|特别|非常|有点|有些|蛮|真的|比较)?(害)?怕(生|冷|热|痒|光|晒|潮|吵|黑|辣|酸|胖)",
                  "re:(热|冷|晒|冻|闷|潮)(得|的)受不了",
                  "re:(手脚冰凉|冰凉|天冷|天热|冷|热|闷|鼻塞|感冒|咳嗽)[^，。,.!！?？]{0,3}难受"]
# emp14: a request to find out just before the word (帮我看一下 / 麻烦查下 / 想问问), and the words it can ask about
EMBEDDED = r"(帮|麻烦|请|给)?(我|忙|您|你)?(看|查|问|瞅|核实|了解|确认)(一)?(下|看|查|问|一下)?(到底|是)?$"
EMBEDDED_WORDS = "怎么回事|咋回事|怎么搞的|什么情况|啥情况"
# emp14: other buyers named as the ones a worry is for (怕你们下次给别人也发成这样)
OTHERS = r"(给|发给|卖给|让)?(别人|别的(买家|顾客|客户|人|亲)|其他(买家|顾客|客户|人)|下一个(买家|顾客|客户|人)|后面的(人|买家|顾客)|后来的(人|买家))"
# emp14: a remedy the agent has done or takes on now (已给您补发 / 这就给您换 / 给您办理退款) — settles a calm report
SETTLED = (r"(已经|已)(经)?(给|为|帮)?(您|你|亲)?(重新)?(补发|重发|发出|寄出|退款|退回|退了|换新|换好|改好|改过来|修改好|备注好|备注了|办好|安排好|改价|补差价|返现|补偿|补上|补好)"
           r"|(马上|立刻|立即|现在|这就|这边|我|我们)(就|直接|这边)?(给|为|帮)(您|你|亲)(补发|重发|重新发|换(一|个|新|货)|退款|办理退款"
           r"|退(掉|了)|改(一下|地址|成|为|好)|修改|备注|加急|免单|补偿|安排补发)|原路退回|退款(已|成功)")
# emp14: … unless the sentence sets a condition on the customer, hands the matter on or asks (寄回后才能 / 麻烦您先 / 反馈)
SETTLED_NOT = r"才(能|可以|会|给)|(麻烦|请|需要)(您|你|亲)|(您|你|亲)(先|需要)|(?<!不用)(?<!无需)(?<!不必)(?<!不需要)寄回|退回来|反馈|申请|登记|核实|审核|查一下|确认一下|[?？]|吗"


def default_conversation() -> ConversationUpsetParams:
    """default@13 (emp12c): the conversation-level rules of the trigger (_conversation_upset), words in lexicons_upset;
    emp13: the agent's reply read (answered_min_state), rhetorical questions, the customer making peace."""
    return ConversationUpsetParams(stake=U.STAKE, setback=U.SETBACK, stake_min_state=0.4,  # emp13: 0.5 → 0.4
                                   persistence=U.PERSISTENCE,
                                   persistence_min_state=0.6, hurry_denied=U.HURRY_DENIED, laughter=S.LAUGHTER,
                                   laughing_max_state=0.5, calm=default_calm(),
                                   answered_min_state=ANSWERED_MIN_STATE, answered_feeling=U.FEELING_NAMED,
                                   answered_feeling_min_state=ANSWERED_FEELING_MIN_STATE, answered_not=U.SLOW_REPLY_APOLOGY,
                                   rhetorical=U.RHETORICAL, conciliation=U.CONCILIATION,
                                   imposed_thanks=U.IMPOSED_THANKS, imposed_thanks_min_state=0.3,
                                   settled=SETTLED, settled_not=SETTLED_NOT)  # emp14


def _trigger_cues():
    """The shared emotion words (emotion_cues) less their literal senses (emp14: LITERAL_SENSES)."""
    cues = emotion_cues()
    cues.exclude = list(cues.exclude) + LITERAL_SENSES
    return cues


def default_calm() -> CalmCueParams:
    """default@13 (emp12d): an emotion word the customer does not feel now (_calm_cue), words in lexicons_upset."""
    return CalmCueParams(hypothetical=U.HYPOTHETICAL, threat=U.HYPOTHETICAL_KEEPS, reported=U.REPORTED,
                         embedded=EMBEDDED, embedded_words=EMBEDDED_WORDS, embedded_max_state=0.5,  # emp14
                         others=OTHERS, others_max_state=0.85,  # emp14
                         reported_self=U.REPORTED_SELF, disclaimer=U.DISCLAIMER, disclaimed_min_state=0.95)


def default_emotion() -> EmotionParams:
    # the sentiment model's "negative" covers plain problem reports (收到的床单上有一块污渍 scores
    # 0.95, and a plain report is neutral by the labelling rules); with no emotion word, only a very
    # confident label counts — or a moderate one when the message's shape shows feeling (pings,
    # sarcasm, urgency, persistence: shape_cues); a plain question needs an emotion word
    # default@7: Cantonese and traditional anger, fear after a bad experience, more shapes (S.*); short urgency
    # in a question lifts the state veto; a status (还没收到) counts only when the turn reads negative in context
    # default@8: worry inside a question lifts the veto too; slang said in delight (服了 / 😭) counts only when the turn
    # reads negative in context; more shapes (repeating to get an answer, scare quotes) and words (fright, manner)
    return EmotionParams(
        min_negative_score=0.96,
        shape_min_score=0.85,
        shape_cues=LexiconParams(phrases=L.EMO_SHAPE + S.SHAPE_MORE,
                                 exclude=L.EMO_SHAPE_EXCLUDE + S.SHAPE_EXCLUDE_MORE + SHAPE_INSIDE_WORDS),  # emp14
        cues=_trigger_cues(),
        urgency=LexiconParams(phrases=S.URGENCY + U.URGENCY_STATED, exclude=S.URGENCY_EXCLUDE),  # default@13: + stated
        relief=LexiconParams(phrases=S.RELIEF),
        status_cue=S.STATUS_CUE,
        ambivalent_cue=S.AMBIVALENT_CUE,
        repeated_status=S.REPEATED_STATUS,  # default@9
        unanswered_ping=S.UNANSWERED_PING,  # default@13
        hidden=default_hidden(URGENCY_STATED_MIN_STATE),  # default@13 (emp12b)
        conversation=default_conversation(),  # default@13 (emp12c)
        laughter=S.LAUGHTER,  # default@9
        acks_before_state=True,  # default@10
        hedged_report=S.HEDGED_REPORT,  # default@10
        acknowledgements=_default_acks() + S.ACK_TAKEN_IN,  # default@10
        sentiment_min_state=0.5,
        state_model_version=SHIPPED_STATE_MODEL,
    )


class CourtesyParams(Strict):
    """Politeness that is not empathy. `preface`: words (不好意思 / 打扰了) that count as an apology only when
    the same sentence says what for (`cause`: 让您久等 / 给您带来不便 / 是我们…); before a request
    (不好意思，麻烦提供一下订单号) they are courtesy. `soothing`: reassurance formulas (您放心 / 别着急 /
    不用着急) that acknowledge only worry or impatience: they count when the customer's turn that
    triggered empathy shows one of `soothing_kinds` (the customer-state layer's reading)."""

    enabled: bool = True
    preface: list[str] = Field(default_factory=lambda: ["不好意思", "打扰了", "打扰一下", "sorry", "唔好意思"])
    cause: list[str] = Field(default_factory=lambda: [
        f"re:(让|给|令|害|叫)(您|你|亲)(?!{REQUEST_AFTER_YOU})", "久等", "耽误", "不便", "困扰", "添麻烦", "造成", "带来", "是我们", "re:我们的(疏忽|失误|问题|错)",
        "re:没(能|有)?(及时|注意|看到|处理|回复|说清|发)", "re:回复(晚|慢)", "re:(刚才|之前|上次)", "re:(发错|漏发|少发|错发|延误|晚了|慢了)",
        "re:等(了|得)?(这么|那么|好|很|太)?(久|长时间|半天|几天)", *S.CANTONESE_APOLOGY_CAUSE, *S.TROUBLE_CAUSE,
        "re:(这么|那么|好|很)多(次|遍|趟|回)",  # default@13 (emp12c): the customer's repeated effort named (辛苦您试了这么多次)
        "re:(一直|这么久|那么久|这几天|好几天|这些天)(在)?等(?!的)", "re:拖(了|得)(这么|那么|好|很|太)?(久|长时间|几天)",  # emp14: the wait named long
    ])  # fmt: skip
    soothing: list[str] = Field(default_factory=lambda: [
        "您放心", "请放心", "放心", "别着急", "不要着急", "不用着急", "您别着急", "您别担心", "别担心", "不用担心", "您先别急", "别急",
        *SOOTHING_MORE,
    ])  # fmt: skip
    # default@9: only impatience (着急) may be soothed by a formula; worry needs the worry acknowledged (您放心 + facts
    # answers the question, not the feeling), anger the anger
    soothing_kinds: list[str] = Field(default_factory=lambda: ["着急"])
    chased: str | None = Field(
        default=CHASED_BEFORE,
        description="a soothing formula never counts when the customer's triggering turn says they have chased before "
        "(催了三次 / 天天问 / 又来问): being told not to hurry acknowledges none of the wait (regex on the analysis form; "
        "null switches it off)",
    )
    request_preface: str | None = Field(
        default=r"^辛苦(您|你|亲)(爱的|爱哒|爱滴|亲)?(?![了啦呀哈啊喽咯嘞]|[\s,，。.!！~～?？…、]|$)",
        description="a thanks for effort that opens a request (辛苦您点击评价 / 辛苦亲审核下再投) is courtesy like "
        "不好意思 before a request: it counts only with a cause in the sentence (辛苦您久等 / 辛苦您了 count); "
        "regex on the analysis form from the match's start, null switches it off",
    )


class DismissalParams(Strict):
    """default@11: an acknowledgement or apology followed, in the same message and with no contrast word, by a taboo act
    (理解您的心情，这个我也没办法，您自己找快递吧 / 抱歉哈，运输磕坏是快递的事 / 非常抱歉，超过七天的不给退的) is the
    act's preface, like 我理解，但规定就是规定: the rest of the message, from the clause after the acknowledgement, is read
    by the act model, and a taboo probability at `threshold` cancels the acknowledgement unless the rest offers help
    (the contrast guard's offer words, not inside a refusal: 不能 / 无能为力)."""

    enabled: bool = True
    threshold: float = Field(
        default=0.8, gt=0, le=1,
        description="taboo probability (1 − P(none)) of the rest of the message; default@11: 0.8 — on the dev sets the rest "
        "after a credited acknowledgement reads at most 0.67, after a dismissive one 0.8–1.0",
    )
    min_chars: int = Field(default=4, ge=0, description="a rest with fewer letters (了，不好意思～) is not read")
    model_version: str | None = Field(default="zh-cs-acts@7", description="the act model the threshold was chosen with")


# emp14: progress reported or reassurance after a contrast (已经在催 / 正在处理 / 会原路退回 / 您放心 / 预计明天到) …
CONTRAST_PROGRESS = (r"已经?(在)?(帮您|给您|为您|帮你|给你)?(催|发出|发货|安排|处理|联系|退款|退回|加急|反馈|登记|提交|核实|补发)|正在(帮您|给您|为您|帮你|给你)?(催|处理|安排|"
                     r"加急|联系|核实|配送|派送|发货|补货)|(会|将)(尽快)?(原路)?(退回|到账|送达|发出|补发)|放心|预计|"
                     r"(今天|明天|后天|周[一二三四五六日天])(就|会|能)?(发|到|送|安排)")
# … which a refusal in the same rest takes back (但是活动价已经结束了 / 不过这个不能退)
CONTRAST_REFUSAL = r"不能|不可以|不可|没办法|没法|无法|不支持|不给|不行|概不|恕不|只能|结束了|没有了|不退|不换|不予|规定|无能为力"

_REFUSAL_AFTER = re.compile(CONTRAST_REFUSAL)

# emp13: the apology named only to decline it (道歉就不必了吧 / 对不起就免了 / 抱歉什么的没必要)
DECLINED = r"[^，。,.!！?？\s]{0,6}?(就|也|倒是?|什么的)?(不必|不用|没必要|免了|算了|用不着|不需要)(了|吧|啦)*(?=[，。,.!！?？\s~～]|$)"

# default@12: 能理解 inside 可能理解 (您可能理解错了) tells the customer they misread — no understanding offered
# emp13: thanking the customer for their understanding (谢谢您的体谅 / 感谢理解) acknowledges no feeling of theirs
EMPATHY_EXCLUDE = ["可能理解", "re:(谢谢|感谢|多谢|谢)(您|你|亲)?(的)?(体谅|理解|谅解)"]


class EmpathyParams(Strict):
    trigger: EmotionParams = Field(default_factory=default_emotion, description="when a customer message is negative")
    lexicon: LexiconParams = Field(default_factory=lambda: LexiconParams(phrases=L.EMPATHY + S.CANTONESE_APOLOGY + EMPATHY_BARE + EMPATHY_NAMED,
                                                                         exclude=EMPATHY_EXCLUDE, variants=L.YOU))
    paraphrase: ParaphraseParams = Field(
        default_factory=lambda: ParaphraseParams(threshold=0.6, exemplars=L.EMPATHY_EXEMPLARS, cues=L.EMPATHY_CUES + S.EMPATHY_MORE)
    )
    guards: GuardParams = Field(
        default_factory=lambda: GuardParams(
            negation=True, contrast=True, contrast_offer=L.EMPATHY_OFFER, quotation=True, sarcasm=True
        )
    )
    courtesy: CourtesyParams = Field(default_factory=CourtesyParams)
    condition: str | None = Field(
        default=S.CONDITION,
        description="an acknowledgement followed by a contrast whose every offer stands after a condition on the customer "
        "in its clause (我理解您着急，但是您得先寄回来，我们才能给您补发) is cancelled like 但规定就是规定: the offer is the "
        "condition's. Regex on the analysis form; null switches it off (default@10)",
    )
    dismissal: DismissalParams = Field(default_factory=DismissalParams)
    credit: EmpathyCreditParams = Field(default_factory=EmpathyCreditParams)  # emp12e (_empathy_credit)
    contrast_progress: str | None = Field(
        default=CONTRAST_PROGRESS,
        description="emp14: what after a contrast reports progress or reassures (但是快递这边确实延误了，我们已经在催了 / 不过您放心，"
        "钱会原路退回的): with no refusal in the rest (CONTRAST_REFUSAL) and the act model reading no taboo act there, the "
        "contrast explains, it does not take the acknowledgement back (a regex on the analysis form; null switches it off)",
    )
    declined: str | None = Field(
        default=DECLINED,
        description="emp13: an apology word followed in its clause by a refusal to make it (道歉就不必了吧 / 说对不起就免了) "
        "is no apology: a regex on the analysis form matched right after the word; null switches it off",
    )


@register_criterion("empathy.v1")
class Empathy(Criterion):
    """na when no customer message is negative (sentiment label, or negative-emotion cues);
    otherwise pass when a human agent's reply after the first negative message acknowledges the
    feeling or apologises — lexicon, cue pattern or exemplar similarity — not negated, not cancelled
    by a contrast (我理解，但规定就是规定), not quoted, not sarcastic. No human reply after the
    negative message at all is a fail too (the feeling was never acknowledged)."""

    Params = EmpathyParams

    def compile(self):
        p: EmpathyParams = self.params
        c = p.courtesy
        return (
            EmotionDetector(p.trigger, f"{self.id}.trigger"),
            PhraseMatcher(self.id, p.lexicon, p.guards, p.paraphrase),
            (set(c.preface), compile_entries(c.cause) if c.cause else None, set(c.soothing), set(c.soothing_kinds),
             re.compile(c.request_preface) if c.request_preface else None, re.compile(c.chased) if c.chased else None)
            if c.enabled
            else None,
            re.compile(p.condition) if p.condition else None,
            self._act_model() if p.dismissal.enabled else None,
            compile_credit(p.credit),
            re.compile(p.declined) if p.declined else None,
            re.compile(p.contrast_progress) if p.contrast_progress else None,  # emp14
        )

    def _act_model(self):
        from models.acts import load_act_model

        model = load_act_model(None)
        want = self.params.dismissal.model_version
        if want and model.model_id != want:
            raise ValueError(f"{self.id}: dismissal.threshold was chosen with act model {want}, the shipped one is {model.model_id}")
        return model

    def _dismissed_after(self, match, offer) -> str | None:
        """The act (refusal / blame_shifting / …) that the rest of the message performs after the acknowledgement's
        clause, with no offer of help in it; None when the rest does nothing of the kind."""
        model = self.compiled[4]
        if model is None:
            return None
        s = match.view.s
        cut = next((i + 1 for i in range(match.end, len(s)) if s[i] in _CLAUSE_END), len(s))
        rest = s[cut:].strip()
        p = self.params.dismissal
        if len(_LETTERS.findall(rest)) < p.min_chars:
            return None
        if offer is not None and any(not is_incapacity(rest, o.start(), o.end()) for o in offer.finditer(rest)):
            return None
        row = model.predict_proba([rest])[0]
        if 1.0 - float(row[model.classes_.index("none")]) < p.threshold:
            return None
        return max((c for c in model.classes_ if c != "none"), key=lambda c: row[model.classes_.index(c)])

    def lexicon_terms(self) -> list[str]:
        emotion, matcher, *_ = self.compiled
        return matcher.terms() + emotion.matcher.terms()

    def _courtesy_only(self, match, trigger_msg) -> str | None:
        """Why an accepted match is politeness rather than empathy (None when it counts)."""
        courtesy = self.compiled[2]
        if courtesy is None:
            return None
        preface, cause, soothing, kinds, request, chased = courtesy
        said = match.view.s[match.start : match.end]
        if said in preface or (request is not None and request.match(match.view.s[match.start :])):
            s = match.view.s
            a = max((i + 1 for i, ch in enumerate(s[: match.start]) if ch in "。!！?？\n"), default=0)
            e = min((i for i, ch in enumerate(s) if i >= match.end and ch in "。!！?？\n"), default=len(s))
            sentence = s[a:e]
            if cause is None or not cause.search(sentence):
                return "礼貌用语（未说明为何致歉或致谢，如请客户提供信息前的“不好意思”、请客户操作前的“辛苦您”）"
        elif any(said == t or (said.endswith(t) and len(said) - len(t) <= 2) for t in soothing):
            st = getattr(trigger_msg, "state", None)
            kind = st.kind if st is not None else None
            if st is not None and kind not in kinds:
                return f"套话安抚（“{said}”只叫客户别急/放心，未承认客户的{kind or '不满'}）"
            if chased is not None and chased.search(view(trigger_msg).s):
                return f"套话安抚（客户已多次催问，“{said}”未承认客户的等待）"
        return None

    @staticmethod
    def _after_contrast(match) -> str | None:
        """The message's text after the first contrast marker (但是 / 不过 …) that follows the acknowledgement, or None."""
        s = match.view.s
        marker = _CONTRAST_AFTER.search(s, match.end)
        return None if marker is None else s[marker.end() :]

    def _offer_only_conditional(self, match, offer) -> bool:
        """我理解您着急，但是您得先寄回来，我们才能给您补发: the contrast after the acknowledgement offers only what a
        condition on the customer (才能 / 才可以) gates, in the clause of each offer: it cancels like 但规定就是规定."""
        condition = self.compiled[3]
        if condition is None or offer is None:
            return False
        tail = self._after_contrast(match)
        if tail is None:
            return False
        offers = [o.start() for o in offer.finditer(tail)]
        if not offers:
            return False
        for at in offers:
            clause_start = max((i + 1 for i, ch in enumerate(tail[:at]) if ch in _CLAUSE_END), default=0)
            if not condition.search(tail, clause_start, at + 2):
                return False
        return True

    def _contrast_reports_progress(self, match) -> bool:
        """emp14: 非常理解您的心情，但是快递这边确实延误了，我们已经在催了 — what follows the contrast reports progress or
        reassures, refuses nothing (CONTRAST_REFUSAL) and the act model reads no taboo act in it: the acknowledgement
        stands. 我理解，但规定就是规定 / 抱歉，但是活动价已经结束了 still cancel."""
        progress = self.compiled[7]
        if progress is None:
            return False
        tail = self._after_contrast(match)
        if tail is None:
            return False
        if not progress.search(tail) or _REFUSAL_AFTER.search(tail):
            return False
        return self._dismissed_after(match, None) is None

    @staticmethod
    def _contrast_in_a_later_question(match) -> bool:
        """抱歉让您久等了。跟您确认下：是能开机，但屏幕不亮，对吗？ — the contrast that the guard found after the apology
        belongs to a later sentence that confirms the customer's problem (a question), not to the apology: the apology
        stands. A contrast in the apology's own sentence, or opening the next one (…。但规定就是规定), still cancels."""
        s = match.view.s
        end = _SENTENCE_END.search(s, match.end)
        if end is None or _CONTRAST.search(s, match.end, end.start()):
            return False
        rest = s[end.end() :]
        if _CONTRAST_OPENS.match(rest):
            return False
        hit = _CONTRAST.search(rest)
        if hit is None:
            return False
        after = _SENTENCE_END.search(rest, hit.end())
        sentence_end = after.start() if after else len(rest)
        return bool(_CONFIRMING.search(rest[:sentence_end + 1]))

    @staticmethod
    def _contrast_inside_a_later_sentence(match) -> bool:
        """理解，孩子的照片是最要紧的。检测时师傅会先尝试读取数据，但进水的情况不能百分百保证 — every contrast after the
        acknowledgement stands inside a later sentence, qualifying what that sentence says, not the acknowledgement
        (default@11). A contrast in the acknowledgement's own sentence, or opening any later one (…。但规定就是规定),
        still cancels; the rest of the message is then read for a taboo act like an uncontrasted acknowledgement."""
        s = match.view.s
        end = _SENTENCE_END.search(s, match.end)
        if end is None or _CONTRAST.search(s, match.end, end.start()):
            return False
        rest = s[end.end() :]
        hits = list(_CONTRAST.finditer(rest))
        for h in hits:
            start = max((m.end() for m in _SENTENCE_END.finditer(rest, 0, h.start())), default=0)
            if not rest[start : h.start()].strip(" ，,~～…\t"):
                return False
        return bool(hits)

    def _acknowledgement(self, m, tmsg, messages) -> tuple[tuple[Match, str] | None, list[Rejected]]:
        """The first acknowledgement of the feeling of `tmsg` that the agent message `m` makes, as (match, evidence
        note), or None with the matches not counted and why."""
        matcher = self.compiled[1]
        rejected = []
        found = matcher.find(m)
        for hit in found.accepted:
            why = self._courtesy_only(hit, tmsg)
            if why is None and self.compiled[6] is not None and self.compiled[6].match(hit.view.s, hit.end):
                why = "拒绝致歉（“道歉就不必了”：说到道歉是为了不道歉）"
            if why is None and pasted_before(self.compiled[5], messages, tmsg, hit):
                why = "模板（客户不满之前客服已发过同一句）"
            if why is None and self._offer_only_conditional(hit, matcher.offer):
                why = "转折（转折后只有让客户先满足的条件，如“…才能给您补发”，没有给出帮助）"
            if why is None:
                act = self._dismissed_after(hit, matcher.offer)
                if act is not None:
                    why = f"同一条消息里紧接着推诿/拒绝（行为模型读为 {act}，没有给出帮助）：理解或致歉只是开场白"
            if why is None:
                said = hit.view.s[hit.start : hit.end]
                return (hit, f"人工客服表达同理：{acknowledgement_kind(said)}"), rejected
            rejected.append(Rejected(hit, why))
        for r in found.rejected:
            if r.why != "转折" or self._courtesy_only(r.match, tmsg) is not None:
                continue
            said = r.match.view.s[r.match.start : r.match.end]
            if self._contrast_in_a_later_question(r.match):
                return (r.match, f"人工客服表达同理：{acknowledgement_kind(said)}（后文的转折属于确认问题的问句）"), rejected
            if self._contrast_inside_a_later_sentence(r.match) and self._dismissed_after(r.match, matcher.offer) is None:
                return (r.match, f"人工客服表达同理：{acknowledgement_kind(said)}（后文的转折在另一句中，限定的是后面的说明）"), rejected
            if self._contrast_reports_progress(r.match):  # emp14
                hit = Match(r.match.view, r.match.start, r.match.end, f"{self.id}.contrast_progress", r.match.pattern)
                return (hit, f"人工客服表达同理：{acknowledgement_kind(said)}（转折后是进展说明或安抚，没有拒绝或推诿）"), rejected
        return None, rejected + list(found.rejected)

    def _acknowledges(self, messages):
        """For the trigger's answered rule (emp13): the agent message's acknowledgement of the turn, or None."""
        def acknowledges(m, turn):
            found, _ = self._acknowledgement(m, turn, messages)
            return found[0] if found is not None else None
        return acknowledges

    def score(self, conversation: Conversation) -> CriterionResult:
        emotion, matcher, *_ = self.compiled
        # default@13 (emp12c): read at conversation level; emp13: the agent's reply may lift a moderately upset turn
        settled: list[Match] = []
        trigger = first_trigger(emotion, conversation.messages, self._acknowledges(conversation.messages), settled)
        if trigger is None:
            # emp14: a turn passed over as a calm report fixed at once says why the verdict is na
            return self.not_applicable([hit.evidence(_PASSED_OVER[hit.rule.rsplit(".", 1)[-1]].format(hit.pattern)) for hit in settled[:1]])
        tmsg, how, cue = trigger
        if how == "state":
            st = tmsg.state
            kind = f"{st.kind}，" if st.kind else ""
            ctx = f"，结合客服上一条 seq {st.prev_seq}" if st.prev_seq else ""
            trig_ev = message_evidence(
                tmsg, f"{self.id}.trigger.state",
                f"客户首次出现需安抚的情绪（{kind}客户状态模型 {st.model} P={st.needs_empathy:.2f}{ctx}）", whole=True,
            )
        elif how == "shape":
            score = tmsg.sentiment.scores.get("negative", 0.0) if tmsg.sentiment and tmsg.sentiment.scores else 0.0
            trig_ev = cue.evidence(f"客户首次出现负面情绪（情感模型 negative {score:.2f} ≥ 形态阈值，且消息形态为问题陈述/催促/反讽/着急）")
        elif how == "repeat":
            trig_ev = cue.evidence("客户再次说明仍未收到/未到账（重复追问：客服的答复没有解决问题）")
        elif how == "ping":
            trig_ev = cue.evidence("客户的问题无人答复时催问（有人吗/在吗：客户已在等待，应先回应等待）")
        elif how == "urgency":
            trig_ev = cue.evidence("客户表达着急（问题或陈述本身平静，但急用/赶时间/期限太晚需要先回应）")
            trig_ev.rule = f"{self.id}.trigger.urgency"
        elif how in ("stake", "persistence", "answered", "question", "imposed"):  # emp12c / emp13: the conversation rule's id
            trig_ev = Match(cue.view, cue.start, cue.end, cue.rule, "").evidence(f"客户首次出现需安抚的情绪（对话层面）：{cue.pattern}")
        elif how in ("sarcasm", "resigned"):  # default@13 (emp12b): the rule id stays the hidden-upset rule's
            kind = "反话式称赞（字面是夸，语境是不满）" if how == "sarcasm" else "无奈的附和（被拒绝或问题未解决后放弃争辩）"
            trig_ev = Match(cue.view, cue.start, cue.end, cue.rule, "").evidence(f"客户首次出现需安抚的情绪：{kind}；语境：{cue.pattern}")
        elif cue is not None:
            trig_ev = cue.evidence("客户首次出现负面情绪（情绪词，未使用情感模型）")
            trig_ev.rule = f"{self.id}.trigger.lexicon"
        else:
            trig_ev = message_evidence(tmsg, f"{self.id}.trigger.sentiment", "客户首次出现负面情绪（情感模型判为 negative）", whole=True)
        later_agent = [m for m in conversation.messages if m.role == "agent" and m.seq > tmsg.seq and m.text.strip()]
        rejected = []
        for m in later_agent:
            found, why_not = self._acknowledgement(m, tmsg, conversation.messages)
            if found is not None:
                hit, note = found
                return self.passed([trig_ev, hit.evidence(note)])
            rejected.extend(why_not)
        courtesy = self.compiled[2]
        credit = find_credit(self.compiled[5], conversation.messages, tmsg, courtesy[1] if courtesy else None)
        if credit is not None:  # emp12e: acknowledgement forms the lexicon misses (_empathy_credit)
            hit, family = credit
            return self.passed([trig_ev, hit.evidence(f"人工客服表达同理：{_CREDIT_KIND[family]}（{hit.pattern}）")])
        evidence = [trig_ev]
        for r in rejected[:3]:
            evidence.append(r.match.evidence(f"不计入：{r.why}"))
        where = later_agent[0] if later_agent else tmsg  # no reply at all: the negative message itself
        evidence.append(
            message_evidence(where, f"{self.id}.missing", "客户出现负面情绪后，人工客服未表达理解或歉意（应在此处先安抚情绪）")
        )
        return self.failed(evidence)
