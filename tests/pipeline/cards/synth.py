"""A realistic synthetic store for the card tests: scored conversations saved through the Store API."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.conversation import Conversation, CriterionResult, Evidence, Flag, Message, Sentiment
from pipeline.ingest import message_key
from pipeline.settings import REPO_ROOT
from pipeline.store import Store

TZ = ZoneInfo("Asia/Shanghai")
RUBRIC = "default@2"
MODEL = "zh-cs-sentiment@3"

# agent id -> (name, conversations per month, skill 0..1, typical first-response seconds)
AGENTS = {
    "A01": ("小雅", 34, 0.95, 40),
    "A02": ("阿杰", 30, 0.80, 120),
    "A03": ("小美", 26, 0.65, 260),
    "A04": ("大伟", 24, 0.88, 70),
    "A05": ("晓晨", 22, 0.55, 380),
    "A06": ("新人小李", 8, 0.70, 150),  # below card_min_conversations (20)
}
GREETINGS = ["您好，很高兴为您服务～", "亲，在的呢，请问有什么可以帮您？", "欢迎光临，您好！"]
NO_GREETING = ["订单号发一下", "什么问题", "说吧"]
CLOSINGS = ["请问还有其他可以帮您的吗？祝您生活愉快！", "感谢您的耐心等待，祝您购物愉快～"]
NO_CLOSING = ["好的", "嗯"]
EMPATHY = "非常抱歉给您带来不便，我非常理解您的心情"
FORBIDDEN = ["这是规定，我也没办法", "我已经说过了，你自己看", "快递的问题跟我们无关"]
CUSTOMER_NEG = ["怎么还没发货啊，都三天了", "东西坏了，太失望了", "你们这服务太差了"]
CUSTOMER_NEU = ["请问这个什么时候发货", "我想改一下收货地址 138****5678"]
CUSTOMER_END_POS = ["好的谢谢", "行，辛苦了"]
CUSTOMER_END_NEG = ["算了，不想说了", "什么破店"]


def _ev(msg: Message, phrase: str | None, rule: str, note: str = "") -> Evidence:
    if phrase and phrase in msg.text:
        s = msg.text.index(phrase)
        return Evidence(msg.seq, msg.text, (s, s + len(phrase)), rule, note)
    return Evidence(msg.seq, msg.text, None, rule, note)


def make_conversation(cid: str, agent: str, name: str, skill: float, fr_typical: float, start: datetime,
                      rng: random.Random) -> Conversation:
    negative_start = rng.random() < 0.4
    good = lambda: rng.random() < skill  # noqa: E731
    t = start
    msgs: list[Message] = []

    def add(role, text, dt, **kw):
        nonlocal t
        t = t + timedelta(seconds=dt)
        m = Message(cid, len(msgs) + 1, role, t, text, agent_id=agent if role == "agent" else None,
                    agent_name=name if role == "agent" else None, customer_id=f"C{cid}", shop="旗舰店",
                    channel="千牛", **kw)
        m.message_key = message_key(cid, t, role, m.agent_id, text)
        msgs.append(m)
        return m

    c1 = add("customer", rng.choice(CUSTOMER_NEG if negative_start else CUSTOMER_NEU), 0)
    c1.sentiment = Sentiment("negative" if negative_start else "neutral", {})
    fr = max(5.0, rng.lognormvariate(0, 0.6) * fr_typical)
    greet_ok = good()
    a1 = add("agent", rng.choice(GREETINGS if greet_ok else NO_GREETING), fr)
    empathy_ok = good()
    forbidden = rng.random() < (1 - skill) * 0.12
    a2 = add("agent", (EMPATHY + "，马上帮您核实订单。") if (negative_start and empathy_ok) else "帮您查一下订单。", 30)
    a_bad = add("agent", rng.choice(FORBIDDEN), 20) if forbidden else None
    end_neg = rng.random() < (0.5 if (negative_start and not empathy_ok) or forbidden else 0.08)
    c2 = add("customer", rng.choice(CUSTOMER_END_NEG if end_neg else CUSTOMER_END_POS), 40)
    c2.sentiment = Sentiment("negative" if end_neg else "positive", {})
    close_ok = good()
    a3 = add("agent", rng.choice(CLOSINGS if close_ok else NO_CLOSING), 15)
    if rng.random() < 0.5:
        add("system", "买家评价", 60, csat=(rng.choice([4, 5]) if not end_neg else rng.choice([1, 2, 3])))

    crit: dict[str, CriterionResult] = {}
    crit["greeting"] = CriterionResult("pass" if greet_ok else "fail", 10 if greet_ok else 0, 10,
                                       [_ev(a1, next((g for g in ("您好", "亲", "欢迎光临") if g in a1.text), None),
                                            "greeting.lexicon", "" if greet_ok else "首条人工消息未问候")])
    crit["closing"] = CriterionResult("pass" if close_ok else "fail", 10 if close_ok else 0, 10,
                                      [_ev(a3, "祝您" if "祝您" in a3.text else None, "closing.lexicon",
                                           "" if close_ok else "最后两条人工消息没有礼貌结束语")])
    if negative_start:
        crit["empathy"] = CriterionResult("pass" if empathy_ok else "fail", 20 if empathy_ok else 0, 20,
                                          [_ev(a2, "非常抱歉给您带来不便" if empathy_ok else None, "empathy.lexicon",
                                               "" if empathy_ok else "客户负面情绪后没有安抚或致歉")])
    else:
        crit["empathy"] = CriterionResult("na", 0, 0, [])
    if a_bad is not None:
        phrase = next(p for p in ("这是规定", "我已经说过了", "跟我们无关") if p in a_bad.text)
        crit["forbidden_phrases"] = CriterionResult("fail", 0, 30, [_ev(a_bad, phrase, "forbidden_phrases.lexicon",
                                                                        f"禁用语：{phrase}")])
    else:
        crit["forbidden_phrases"] = CriterionResult("pass", 30, 30, [])
    sla_ok = fr <= 300
    crit["first_response_sla"] = CriterionResult("pass" if sla_ok else "fail", 20 if sla_ok else 0, 20,
                                                 [Evidence(a1.seq, a1.text, None, "first_response_sla.timer",
                                                           f"首次响应 {fr:.0f} 秒")])
    listen_ok = good()
    crit["active_listening"] = CriterionResult("pass" if listen_ok else "fail", 10 if listen_ok else 0, 10,
                                               [_ev(a2, "核实订单" if listen_ok and "核实订单" in a2.text else None,
                                                    "active_listening.lexicon",
                                                    "" if listen_ok else "未复述或确认订单信息")])
    total_max = sum(c.max_points for c in crit.values() if c.status != "na")
    score = round(100 * sum(c.points for c in crit.values() if c.status != "na") / total_max, 1)
    flags = []
    if a_bad is not None:
        flags.append(Flag("forbidden_phrase", f"禁用语：{a_bad.text}", a_bad.seq, red_line=True))
    if not sla_ok:
        flags.append(Flag("sla_breach", f"首次响应 {fr:.0f} 秒，超过 300 秒", a1.seq))
    if end_neg:
        flags.append(Flag("negative_end", "客户最后一条消息为负面", c2.seq))
    if crit["empathy"].status == "fail":
        flags.append(Flag("empathy_missing", "缺少同理心", a2.seq))
    if score < 60:
        flags.append(Flag("low_score", f"得分 {score} 低于 60"))
    conv = Conversation(cid, msgs, customer_id=f"C{cid}", shop="旗舰店", channel="千牛", criteria=crit, flags=flags,
                        score=score, rubric_version=RUBRIC, model_version=MODEL)
    return conv


def build_store(url: str, seed: int = 7, months: tuple[str, ...] = ("2026-08", "2026-09", "2026-10"),
                snapshot: bool = True, agents: dict[str, tuple] | None = None) -> Store:
    """The store; snapshot=False leaves out the rubric snapshot (a store from before snapshots were kept);
    agents: other agents than AGENTS (same shape), e.g. hostile ids and names."""
    rng = random.Random(seed)
    store = Store(url)
    if snapshot:  # what every scoring run does: keep the rubric text its results were scored with
        path = REPO_ROOT / "rubrics" / "default.yaml"
        store.save_rubric_snapshot(RUBRIC, path.read_text(encoding="utf-8"), str(path))
    convs: list[Conversation] = []
    for month in months:
        y, mo = map(int, month.split("-"))
        for agent, (name, n, skill, fr) in (agents or AGENTS).items():
            # previous months: slightly different volume and skill, for a visible trend
            shift = (int(months[-1].split("-")[1]) - mo)
            n_month = max(3, n - 3 * shift)
            for i in range(n_month):
                day = 1 + (i * 29) // max(1, n_month)
                start = datetime(y, mo, day, 9 + i % 10, (i * 7) % 60, tzinfo=TZ)
                convs.append(make_conversation(f"{agent}-{month}-{i:03d}", agent, name,
                                               max(0.3, skill - 0.04 * shift), fr, start, rng))
    # a conversation that starts on the last evening of September local time (still September in Shanghai,
    # though 2026-09-30 16:30 UTC): month boundaries are local
    if agents is None:
        convs.append(make_conversation("edge-sep-30", "A01", "小雅", 0.95, 40,
                                       datetime(2026, 9, 30, 23, 55, tzinfo=TZ), rng))
    run = store.start_run(["synthetic"], command="tests", rubric_version=RUBRIC, model_version=MODEL)
    store.store_messages([m for c in convs for m in c.messages], run)
    store.upsert_conversations(convs, run)
    store.save_results(convs, run)
    store.finish_run(run, status="ok")
    return store
