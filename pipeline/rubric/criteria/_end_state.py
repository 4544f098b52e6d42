"""How the conversation ends (default@14, end13): negative_end read from the end as a whole, not from the last
message's words alone. Seven mechanisms, each a switch in EndStateParams (rubrics/default.yaml, negative_end.end):

- resigned_after_refusal: the customer gives up (那算了 / 随便 / 就这样吧 / 那我只能… / 自己想办法) after the agent
  refused or put the customer off, or with the customer's complaint still unfixed; not a reply that opens by accepting
  (行吧，那算了 — the labelling rules' calm 行吧), not with thanks, not after a reply that settles the matter;
- contrast_clause: a reply that thanks or accepts and then turns (好的谢谢，不过…有点失望): the clause after the
  contrast carries the feeling, whatever the state layer reads of the polite words around it;
- calm_threat: a review, complaint or escalation announced in calm words (评价里我会如实写 / 给个一星 / 找你们领导 /
  走法律途径) after a complaint or a refusal; denied (不会给…) or beside praise (好评) it is none;
- settled_after (precision): a last message only the state layer reads negative, which the agent's next reply settles
  (那换鸡肉味吧 → 已经给您安排换货了), is a choice made, not a negative end;
- forgiving (precision): 算了，没事的，不怪你们 / 说话冲了 不好意思 — the customer lets the agent off;
- denied_threat (precision): 放心，不会给差评的 is reassurance when its denied words are the only emotion words;
- burst_strongest: the customer's last burst (several messages with no agent reply between them) is read as one turn:
  an earlier message of it read negative, and a last one that neither thanks nor follows a fix, ends negative.

The words are analysis-form regexes; the context (refusal, fix, unfixed fault) is _hidden_upset's reading, the
complaint is the grievance criterion's trigger. Read by flags.NegativeEnd when the last message alone reads calm."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field

from pipeline.conversation import Conversation, Message
from pipeline.rubric.criteria._hidden_upset import HiddenUpset
from pipeline.rubric.criteria._shapes import _spaced
from pipeline.rubric.matching import view
from pipeline.rubric.schema import Strict

# giving up: the customer drops the request or takes it on themself (算了一下 = worked out, 随便看看 = browsing); 那就这样吧
# is left to _hidden_upset's resigned assent (a common neutral close), 那只能等了 accepts the wait (好 我等你们消息 is calm)
RESIGNED = (
    r"(?<![计打估清结换])算了(?!一下|下|算|多少|几|吗|么)|(?:^|[，,。.\s])随便(?:吧|了|啦|呗|咯)?(?:$|[，,。.!！…\s])"
    r"|(?:^|[，,。.\s])无所谓(?:了|吧|啦)?(?:$|[，,。.!！…\s])|拉倒|罢了"
    r"|(?:只能|只好)这样(?:吧|了)|(?:那|那我|我)(?:也|就)?只(?:能|好)(?!用|装|放|选|买|穿|拍|发|走|等|再等)"
    r"|自己(?:再)?想(?:想)?办法|(?:还|又)?能(?:怎么|咋|怎样)(?:办|样|着)(?:呢|啊|呀)?(?:$|[，,。.!！?？…\s])"
    r"|(?:那|也)(?:就)?没(?:有)?办法了|认倒霉|不抱(?:什么)?希望|还能(?:说|讲)(?:什么|啥)"
    # the refusal summed up and shrugged at (所以就是不管了呗 / 合着是我的错)
    r"|^(?:所以|意思是|也就是说|那就是说|说白了)[^，。,.!！?？]{0,12}(?:呗|咯|喽)[。.!！?？…\s]*$|^(?:合着|敢情)"
)
# a contrast word opening the clause that carries the feeling
CONTRAST = r"不过|但是|可是|但(?!愿|凡)|只是|就是(?=说|有点|有些|感觉|觉得|挺|太|心里)"
# a poor verdict on the goods or the service, said without an emotion word (only read after a contrast)
CONTRAST_TAIL = (
    r"不怎么样|一般般|不咋(?:地|样)|差点意思|不如(?:预期|想象|描述|图片)|影响心情|心里(?:不舒服|不痛快|不是滋味)"
    r"|(?:体验|服务|感受|印象)[^，。,.!！?？]{0,3}(?:不好|很差|太差|一般|不太好|不怎么样|打折扣)|不太(?:满意|愉快|开心)"
    r"|(?:不太|不怎么|很难|没法|难以)(?:能)?接受|接受不了"
)
# a review, complaint or escalation announced: the review told truthfully or with what it will say (我会去评价的 alone
# may be praise), a low score, a manager or the platform called in, the law
THREAT = (
    r"(?:如实|照实|真实)(?:地)?(?:评价|写|反映|反馈|说明)"
    r"|(?:评价|追评|评论)(?:里|中|上|时|的时候)[^，。,.!！?？]{0,2}(?:会|要|一定|肯定|就)[^，。,.!！?？]{0,3}(?:说|写|讲|反映|提|曝光)"
    r"|(?:给|打|留|评)(?:个|一个|你们)?(?:低分|一星|1星|一颗星|中评|负评|1分|一分|零分|0分)"
    r"|(?:找|叫|要|让)(?:你们)?(?:的)?(?:领导|主管|经理|店长|上级|老板|负责人)(?:来|出来|跟我|和我|说话|处理|过来)?"
    r"|(?:申请|找|让|叫|要)(?:平台|官方|小二)[^，。,.!！?？]{0,2}(?:介入|处理|仲裁|评理|投诉)"
    r"|起诉|法院|打官司|律师|法律途径|走法律|黑猫|找媒体|报警"
)
# the customer lets the agent off or owns their own tone (算了，没事的，不怪你们 / 说话冲了 不好意思): forgiveness, no grievance
FORGIVING = (
    r"没事(?:的|了|啦|哈|儿)?(?!吧|吗|么|找事)|(?<![跟和与同我们你他她])没关系|不怪(?:你们|你|您)(?!怪|们)|不是(?:你|你们|您)的(?:错|问题|责任)|不要紧|不碍事"
    r"|理解(?:你们|你|您)(?:的|了)?(?:难处|不容易)?(?:$|[，,。.!！~～…\s])|(?:我|刚才|刚刚)[^，。,.!！?？]{0,6}(?:说话|语气|态度)[^，。,.!！?？]{0,2}(?:冲|急|重|不好)"
    r"|^(?:不好意思|抱歉|对不起|sorry)(?:啊|哈|呀|了|哦)?[。.!！~～…\s]*$"
)
# a complaint or a bad review denied: reassurance (放心，不会给差评的)
DENIED_THREAT = (
    r"(?:不会|不想|不打算|没打算|不至于|不必|哪会|没有要|才不会)(?:再)?(?:给|打|去|写|留)?(?:你们|你)?(?:个|一个)?"
    r"(?:差评|投诉|举报|低分|一星|中评|曝光)"
)
# a threat denied, or the customer praising (不会给差评 / 给个好评)
THREAT_EXCLUDE = r"(?:不会|不想|不打算|没打算|不至于|不必|哪会|没有要)[^，。,.!！?？\s]{0,4}(?:评价|评论|低分|一星|中评|差评|投诉|找)|好评|五星|5星|满意"


# end13b: a reply that opens by accepting (行吧 / 好吧 / 嗯 / ok fine) and turns, in the same message, to a negative
# clause read by what it does — leaving (以后不…了 / 下回不…), waste lamented (白跑了 / 浪费…), escalation, reproach
# (什么态度 / 每次都这样); a hope, an instruction, a plan or a question after the opener is none (行，这回别又没人管了)
ACCEPT_OPENER = (
    r"^(?:那|唉|哎|嗯+|哦+|噢)?[，,\s]*(?:行吧|行|好吧|好的|好|嗯+|哦+|也行|那行|那好吧|可以|知道了|明白了|ok|okay|ok\s*fine|fine|得|中)"
    r"(?:吧|了|啦|呗|咯)?[\s,，。.!！~～…、]+"
)
ACCEPTED_TAIL = (
    # departure: not coming back, not buying again, never again
    r"(?:以后|往后|今后|下次|下回|再也|从此|以后再也)[^，。,.!！?？]{0,6}(?:不|不会|不想|不敢|没)[^，。,.!！?？]{0,4}(?:买|来|光顾|回购|下单|信|碰)"
    r"|不(?:会|想|敢)?再(?:买|来|光顾|回购|下单|信)|再也不|最后一次(?:买|来|在)|(?:这|你)家(?:店)?(?:我)?(?:再也|不会再|以后不)"
    # waste lamented: effort, time or money thrown away
    r"|白(?:跑|等|买|花|折腾|忙活|忙|费|搭|高兴|瞎)|(?:时间|钱|精力|功夫|工夫|心思|一天|半天|一上午|一下午|一晚上|几天)[^，。,.!！?？]{0,4}(?:浪费|白费|打水漂|白花|白搭)"
    r"|浪费(?:了)?(?:我)?(?:的)?(?:时间|钱|精力|感情|表情|口水|流量|一天|半天|一上午|一下午|一晚上|几天|[0-9一二两三四五六七八九十几]+(?:天|个小时|小时|分钟|块|元))|waste of (?:my )?(?:time|money)|wasted (?:my )?(?:time|money)|never (?:again|coming back|buy)|won'?t (?:come back|buy|be back)|what (?:an? )?attitude|every (?:single )?time|瞎折腾|折腾(?:了)?(?:半天|一天|这么久|这么多天|一场)|(?:等|跑|问)了?(?:半天|这么久|好几天|一场)(?:还是)?(?:一场空|没用|白)"
    # escalation announced
    r"|(?:找|叫)(?:你们)?(?:的)?(?:领导|主管|经理|上级)|(?:找|让|叫|申请)(?:平台|官方|小二)[^，。,.!！?？]{0,3}(?:介入|处理|评理|仲裁|投诉|反映)"
    r"|(?:我)?(?:会|要|去|直接)(?:申请)?(?:介入|仲裁|维权|起诉|曝光|举报|投诉)"
    # reproach of the service: its manner, or the same failing again
    r"|(?:什么|啥)(?:服务)?态度|(?:态度|服务|效率|办事)[^，。,.!！?？]{0,2}(?:真|太|也太|可真|够)[^，。,.!！?？]{0,2}(?:差|烂|可以的)"
    r"|(?:每次|回回|次次|老是|总是)(?:都)?(?:这样|这么|如此|一样)|又是这样|还是老样子|一点(?:都|也)?不(?:负责|靠谱|专业|上心)"
    r"|说了(?:也)?白说|问了(?:也)?白问|指望不上"
)
# a reproach in question form with no emotion word (so what? / 有必要吗 / 只会复制粘贴吗 / 下次查清楚再怪别人好吗)
REPROACH_QUESTION = (
    r"^所以(?:呢|又怎么样|又怎样|又如何)(?:呢|啊|呀)?[?？。.!！…\s]*$|那又(?:怎么|怎)样|又能怎么样"
    r"|(?:有|有这个|有那个)必要(?:吗|么|嘛)|至于(?:吗|么|嘛)|有意思(?:吗|么|嘛)"
    r"|(?:只|就|就只)会(?:复制|粘贴|发模板|套话|说套话|说抱歉|道歉|说对不起|打官腔|踢皮球)[^，。,.!！?？]{0,4}(?:吗|么|嘛|是吧|[?？])"
    r"|(?:下次|以后|下回)[^，。,.!！?？]{0,12}(?:再|先)[^，。,.!！?？]{0,10}(?:好吗|行吗|可以吗|好不好|行不行|成吗)"
    r"|(?:能不能|可不可以|会不会)(?:用点心|上点心|认真点|认真一点|专业点|专业一点|靠谱点|说人话|好好看看|看清楚)"
    r"|(?:听得懂|看得懂|看不懂|听不懂)(?:人话|中文|字|我说的话)(?:吗|么|嘛)|(?:你们?|客服)(?:是)?(?:机器人|复读机|人工智障)(?:吗|么|嘛|啊)"
    r"|有没有(?:搞错|人性|良心)"
)
# the agent asks whether the matter is settled; a bare "no" answers it
RESOLVED_ASKED = (
    r"(?:解决|处理好|处理完|弄好|搞定|好了|满意|帮到)(?:了|您了|你了)?(?:吗|么|嘛|没|没有|呢)|是否(?:已|已经)?(?:解决|处理好|满意)"
    r"|(?:还有|有没有)(?:什么|其他|别的)?(?:问题|疑问)(?:没有)?(?:解决|没解决)"
)
BARE_NO = r"^(?:还|也)?(?:没有|没|冇|未|没呢|没有呢|还没|还没有)(?:啊|呀|呢|哦|的)?[。.!！~～…\s]*$"


# default@14 additions to negative_end's hidden-upset words (rubrics/default.yaml negative_end.emotion.hidden): praise of
# the staff's prowess (你们厉害) is sarcasm in an adverse context like 可真用心; "what you say is right" gives up like
# 你们说啥都对
SARCASTIC_PRAISE_MORE = "(你们|你|您|你家|客服|商家|店家)(可|也)?(真|可真|是真|真是|太|也太)?(厉害|牛)(啊|呀|了|哈|啦)?$"
RESIGNED_ASSENT_MORE = "(你|您|你们)说的(都|全|也)?(对|是对的|有道理)"


def negative_end_hidden(base):
    """negative_end's hidden-upset params: `base` (_hidden_upset.default_hidden()) with this module's additions."""
    return base.model_copy(update={"praise": f"{base.praise}|{SARCASTIC_PRAISE_MORE}", "resigned": f"{base.resigned}|{RESIGNED_ASSENT_MORE}"})


class EndStateParams(Strict):
    """Rules that read the end of the conversation as a whole (default@14, end13); a null regex or false switches
    one off (all off unless the rubric names them)."""

    resigned: str | None = Field(default=None, description="resigned_after_refusal: giving up (那算了 / 随便 / 只能… / 自己想办法)")
    contrast: str | None = Field(default=None, description="contrast_clause: the contrast words whose clause carries the feeling")
    contrast_tail: str | None = Field(
        default=None, description="contrast_clause: a poor verdict after the contrast that no emotion word says (不怎么样 / 体验不太好)"
    )
    threat: str | None = Field(default=None, description="calm_threat: a review, complaint or escalation announced")
    threat_exclude: str | None = Field(default=None, description="a threat denied or praise beside it (不会给差评 / 好评)")
    burst: bool = Field(default=False, description="burst_strongest: read the last burst of customer messages as one turn")
    denied_threat: str | None = Field(
        default=None,
        description="denied_threat: a complaint or bad review denied (放心，不会给差评的): when every emotion word of the last "
        "message lies inside it and no contrast follows, the message is reassurance, not a negative end; null switches it off",
    )
    forgiving: str | None = Field(
        default=None,
        description="forgiving: the customer lets the agent off or owns their own tone (算了，没事的，不怪你们 / 说话冲了 不好意思): "
        "with no emotion word, departure or threat, the end is calm whatever the state layer reads, and no end rule raises it; "
        "null switches it off",
    )
    settled_below: float | None = Field(
        default=None, ge=0, le=1,
        description="settled_after: a last message that only the state layer reads negative (no emotion word, no contrast), "
        "below this P(negative), which the agent's next reply settles (那换鸡肉味吧 → 已经给您安排换货了), is a choice made, "
        "not a negative end; null switches it off",
    )
    accept_opener: str | None = Field(default=None, description="accepted_then_complained (end13b): the accepting opener (行吧 / 好吧 / 嗯 / ok fine)")
    accepted_tail: str | None = Field(
        default=None,
        description="accepted_then_complained (end13b): a clause after the opener that leaves, laments waste, escalates or "
        "reproaches (行吧，以后不来了 / 好吧 白跑一趟); a hope, instruction, plan or question is none; null switches it off",
    )
    reproach_question: str | None = Field(
        default=None, description="reproach_question (end13b): a reproach in question form (所以呢 / 有必要吗 / 只会复制粘贴吗); null switches it off"
    )
    resolved_asked: str | None = Field(default=None, description="unresolved_no (end13b): the agent asks whether the matter is settled")
    bare_no: str | None = Field(default=None, description="unresolved_no (end13b): a bare no (没有 / 还没) answering it; null switches it off")
    burst_max: int = Field(default=4, ge=2, le=10, description="how many messages of the last burst are read")


@dataclass
class EndReading:
    rule: str  # e.g. negative_end.resigned_after_refusal
    seq: int
    note: str


def _c(p: str | None) -> re.Pattern | None:
    return re.compile(p) if p else None


class EndReader:
    """EndStateParams' rules. `detector` is negative_end's EmotionDetector (its cue matcher, acknowledgement and
    opener readings, hidden-upset context and negative())."""

    def __init__(self, params: EndStateParams, detector, rule_prefix: str = "negative_end") -> None:
        self.params, self.det, self.prefix = params, detector, rule_prefix
        self.resigned, self.contrast, self.contrast_tail = _c(params.resigned), _c(params.contrast), _c(params.contrast_tail)
        self.threat, self.threat_exclude = _c(params.threat), _c(params.threat_exclude)

    # -- context -------------------------------------------------------------------------------------------------
    @staticmethod
    def _agent_before(conv: Conversation, msg: Message) -> Message | None:
        return HiddenUpset._last_agent([m for m in conv.messages if m.seq < msg.seq])  # the agent line the turn answers

    def _cheer(self, s: str) -> bool:
        h = self.det.hidden
        return h is not None and h.cheer is not None and bool(h.cheer.search(s))

    def _opens_accepting(self, msg: Message) -> bool:
        """行吧，那算了 / 好的，那我自己想办法: the reply opens by accepting (the labelling rules' calm 行吧)."""
        return self.det.opener is not None and bool(self.det.opener.match(view(msg).s.strip()))

    def _adverse(self, conv: Conversation, msg: Message, complained: int | None) -> str | None:
        """Why the end is adverse: the agent's reply before refuses or puts off, a fault the customer told is still
        unfixed, or the customer complained and no reply since settled it. None after a reply that settles it."""
        h = self.det.hidden
        earlier = [m for m in conv.messages if m.seq < msg.seq]
        if h is not None:
            agent = h._last_agent(earlier)
            if h._fixes(agent):
                return None
            why = h.adverse(msg, earlier)
            if why:
                return why
        if complained is not None and complained < msg.seq:
            return f"客户此前（seq {complained}）已投诉/表达不满，问题尚未解决"
        return None

    # -- rules ---------------------------------------------------------------------------------------------------
    def resigned_after_refusal(self, conv: Conversation, last: Message, complained: int | None) -> EndReading | None:
        if self.resigned is None:
            return None
        s = view(last).s.strip()
        hit = self.resigned.search(s)
        if hit is None or self._cheer(s) or self._opens_accepting(last):
            return None
        h = self.det.hidden
        earlier = [m for m in conv.messages if m.seq < last.seq]
        if (complained is None or complained >= last.seq) and not (h is not None and h._unfixed_fault(earlier)):
            return None  # 蓝色卖完了 → 那算了: a pre-sale no the customer takes, no grievance behind it
        why = self._adverse(conv, last, complained)
        if why is None:
            return None
        word = hit.group(0).strip("，,。. ")
        return EndReading(f"{self.prefix}.resigned_after_refusal", last.seq, f"客户放弃：“{word}”（{why}）")

    def contrast_clause(self, conv: Conversation, last: Message) -> EndReading | None:
        if self.contrast is None:
            return None
        s = view(last).s
        turn = self.contrast.search(s)
        if turn is None:
            return None
        hits = [h.matched_text for h in self.det.matcher.find(last).accepted if h.start >= turn.end()]
        if not hits and self.contrast_tail is not None:
            tail = self.contrast_tail.search(s, turn.end())
            hits = [tail.group(0)] if tail else []
        if not hits:
            return None
        return EndReading(f"{self.prefix}.contrast_clause", last.seq, f"转折（“{turn.group(0)}”）后的分句带负面情绪或评价“{hits[0]}”")

    def calm_threat(self, conv: Conversation, last: Message, complained: int | None) -> EndReading | None:
        if self.threat is None:
            return None
        s = view(last).s
        hit = self.threat.search(s)
        if hit is None or (self.threat_exclude is not None and self.threat_exclude.search(s)):
            return None
        why = self._adverse(conv, last, complained)
        if why is None:
            return None
        return EndReading(f"{self.prefix}.calm_threat", last.seq, f"客户表示要评价/投诉/升级：“{hit.group(0)}”（{why}）")

    def burst_strongest(self, conv: Conversation, last: Message) -> EndReading | None:
        """The last burst read as one turn: an earlier message of it negative, the last one no thanks and no fix before."""
        if not self.params.burst:
            return None
        burst: list[Message] = []
        for m in reversed(conv.messages):
            if m.seq > last.seq or not m.text.strip() or m.role not in ("agent", "customer"):
                continue
            if m.role != "customer":
                break
            burst.insert(0, m)
        if len(burst) < 2 or self._cheer(view(last).s):
            return None
        h = self.det.hidden
        agent = self._agent_before(conv, burst[0])
        if h is not None and h._fixes(agent):
            return None
        for m in reversed(burst[-self.params.burst_max : -1]):
            neg, how, _ = self.det.negative(m, [x for x in conv.messages if x.seq < m.seq])
            if neg:
                return EndReading(f"{self.prefix}.burst_strongest", m.seq,
                                  f"客户最后连发的消息中 seq {m.seq} 为负面（{how or 'lexicon'}），最后一条“{last.text.strip()[:20]}”未收回")
        return None

    def settled_after(self, conv: Conversation, last: Message) -> EndReading | None:
        """The agent's reply after the last customer message settles the matter, and that message shows no feeling in
        words (no emotion cue, no contrast, no giving up, no threat) with P(negative) below settled_below: the state layer's reading alone does
        not end the conversation negative. The reading names the settling reply (the calm verdict's evidence)."""
        cap, h = self.params.settled_below, self.det.hidden
        st = last.state
        if cap is None or h is None or st is None or st.scores.get("negative", 0.0) >= cap:
            return None
        s = view(last).s
        words = (self.contrast, self.resigned, self.threat)  # 券就算了，退款快点: giving up on the goodwill is no choice made
        if self.det.matcher.find(last).accepted or any(w is not None and w.search(s) for w in words):
            return None
        reply = next((m for m in conv.messages if m.seq > last.seq and m.role == "agent" and m.text.strip()), None)
        if reply is None or not h._fixes(reply):
            return None
        return EndReading(f"{self.prefix}.settled_after", reply.seq, f"客服随后（seq {reply.seq}）已办理，客户最后一条无负面措辞")

    def denied(self, last: Message) -> EndReading | None:
        """放心，不会给差评的: every emotion word of the last message lies inside a denied threat, no contrast after it."""
        if self.params.denied_threat is None:
            return None
        s = view(last).s
        spans = [(m.start(), m.end()) for m in re.finditer(self.params.denied_threat, s)]
        if not spans or (self.contrast is not None and self.contrast.search(s, spans[-1][1])):
            return None
        words = list(self.det.matcher.find(last).accepted)
        words += list(self.det.departure.find(last).accepted) if self.det.departure is not None else []
        if any(not any(a <= h.start and h.end <= b for a, b in spans) for h in words):
            return None  # 不会给差评，但以后不会再来了: another feeling or a departure outside the denial
        return EndReading(f"{self.prefix}.denied_threat", last.seq, f"客户否认要投诉/差评：“{s[spans[0][0]:spans[0][1]]}”")

    def forgives(self, last: Message) -> EndReading | None:
        """算了，没事的，不怪你们: the customer lets the agent off — no emotion word, no departure, no threat in the message."""
        if self.params.forgiving is None:
            return None
        s = view(last).s
        hit = re.search(self.params.forgiving, s)
        if hit is None or self.det.matcher.find(last).accepted or (self.threat is not None and self.threat.search(s)):
            return None
        if self.det.departure is not None and self.det.departure.find(last).accepted:
            return None
        return EndReading(f"{self.prefix}.forgiving", last.seq, f"客户表示谅解：“{hit.group(0)}”")

    def accepted_then_complained(self, conv: Conversation, last: Message) -> EndReading | None:
        """行吧，以后不来了 / 好吧 白跑一趟 / 嗯 每次都这样: the opener accepts, the clause after it departs, laments waste,
        escalates or reproaches (end13b). A message that thanks or cheers is none."""
        p = self.params
        if p.accept_opener is None or p.accepted_tail is None:
            return None
        s = view(last).s.strip()
        spaced = _spaced(last).strip()  # the analysis form drops the space after 行吧 (行吧 白跑一趟)
        op = re.match(p.accept_opener, s, re.I)
        if op is None:
            s, op = spaced, re.match(p.accept_opener, spaced, re.I)
        if op is None or self._cheer(s):
            return None
        tail = re.search(p.accepted_tail, s[op.end():], re.I)
        if tail is None or (self.threat_exclude is not None and self.threat_exclude.search(s)):
            return None
        return EndReading(f"{self.prefix}.accepted_then_complained", last.seq,
                          f"客户先应承（“{op.group(0).strip(' ，,。.')}”）后表达不满：“{tail.group(0)}”")

    def reproach_question(self, conv: Conversation, last: Message) -> EndReading | None:
        """所以呢 / 有必要吗 / 只会复制粘贴吗: the last message reproaches the agent in question form (end13b)."""
        if self.params.reproach_question is None or self._agent_before(conv, last) is None:
            return None
        s = view(last).s.strip()
        hit = re.search(self.params.reproach_question, s, re.I)
        if hit is None or self._cheer(s):
            return None
        return EndReading(f"{self.prefix}.reproach_question", last.seq, f"客户以反问责备客服：“{hit.group(0)}”")

    def unresolved_no(self, conv: Conversation, last: Message) -> EndReading | None:
        """没有 / 还没 answering the agent's 问题解决了吗: the matter is not settled (end13b)."""
        p = self.params
        if p.resolved_asked is None or p.bare_no is None or not re.match(p.bare_no, view(last).s.strip()):
            return None
        agent = self._agent_before(conv, last)
        before = next((m for m in reversed(conv.messages) if m.seq < last.seq and m.role in ("agent", "customer") and m.text.strip()), None)
        if agent is None or before is not agent or not re.search(p.resolved_asked, view(agent).s):
            return None
        return EndReading(f"{self.prefix}.unresolved_no", last.seq, f"客服问是否已解决（seq {agent.seq}），客户答“{last.text.strip()}”")

    def read(self, conv: Conversation, last: Message, complained: int | None) -> EndReading | None:
        """The first rule that reads the end negative, or None (never for a message that forgives)."""
        if self.forgives(last) is not None:
            return None
        for rule in (lambda: self.calm_threat(conv, last, complained), lambda: self.contrast_clause(conv, last),
                     lambda: self.resigned_after_refusal(conv, last, complained), lambda: self.burst_strongest(conv, last),
                     lambda: self.accepted_then_complained(conv, last), lambda: self.reproach_question(conv, last),
                     lambda: self.unresolved_no(conv, last)):
            found = rule()
            if found is not None:
                return found
        return None


def default_end_state() -> EndStateParams:
    """default@14's end rules with this module's words."""
    return EndStateParams(resigned=RESIGNED, contrast=CONTRAST, contrast_tail=CONTRAST_TAIL, threat=THREAT, threat_exclude=THREAT_EXCLUDE, burst=True,
                          denied_threat=DENIED_THREAT, forgiving=FORGIVING, settled_below=0.85,
                          accept_opener=ACCEPT_OPENER, accepted_tail=ACCEPTED_TAIL, reproach_question=REPROACH_QUESTION,
                          resolved_asked=RESOLVED_ASKED, bare_no=BARE_NO)


__all__: Sequence[str] = ("EndStateParams", "EndReader", "EndReading", "default_end_state", "negative_end_hidden")
