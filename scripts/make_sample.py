#!/usr/bin/env python
"""Build Zhijian's bundled synthetic sample: data/sample/chats-YYYY-MM-DD.jsonl.

Everything here is synthetic, written for this project. The conversation
bodies (data/sample/library/*.txt) and the per-agent style pools
(data/sample/library/agents.yaml) are hand-written; this script only
assembles them: it picks a body, a shop, a start time, an agent whose shift
and skills fit, fills the agent's own greeting/closing/empathy habits (or
leaves them out, at the agent's own rate), adds bot hand-offs, transfers,
timing and a CSAT rating correlated with how the chat went. It is seeded,
so a rerun gives byte-identical output.

    .venv/bin/python scripts/make_sample.py            # rewrite data/sample
    .venv/bin/python scripts/make_sample.py --seed 7   # another draw

Body format (one body = one conversation skeleton):

    ### body-id | scenario=refund | shop=home|apparel|any | mood=neutral|negative|angry
        | end=happy|neutral|angry | tags=calm,long,...
    C: customer line            (C@600: the customer answers ~600 s later)
    A: agent line with {slots}
    S: {transfer}               (hand the chat to a second agent here)

Agent slots: {greet} {empathy} {wait} {confirm} {promise} {rule} {dunno}
{close} {sorry_wait}.  Data slots (any line): {order} {express} {ticket}
{name} {phone} {addr}.  The first agent line of each agent gets a greeting
prefix unless it already holds {greet}.  A {close} line is dropped when the
agent forgets to close; bodies without one get a closing appended at the
agent's rate.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import re
import statistics
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
LIB = SAMPLE / "library"
TZ = dt.timezone(dt.timedelta(hours=8))
START_DAY = dt.date(2026, 9, 1)
END_DAY = dt.date(2026, 10, 31)
SLA_SECONDS = 300

SCENARIO_LABELS = {
    "presale": "售前咨询（尺码/材质/库存/优惠券/发票）",
    "shipping_delay": "发货延迟 / 催发货",
    "logistics_stuck": "物流异常（停滞/丢件/退回）",
    "address_change": "修改地址",
    "wrong_missing": "错发 / 漏发",
    "damaged": "商品破损 / 质量问题",
    "return_exchange": "退换货（七天无理由 / 运费险）",
    "refund": "退款进度",
    "price_protect": "价保",
    "complaint": "投诉 / 升级（工单）",
    "abusive": "辱骂 / 情绪激烈的顾客",
    "short": "短会话（在吗 / 单句问答）",
    "other": "其他",
}

CSAT_TEXT = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}

# Fake personal data for the masking stage (not real people or places).
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵丽", "黄磊", "周杰", "吴敏",
         "徐婷", "孙涛", "马丽娟", "朱晓东", "胡雪", "郭强", "何佳", "高原", "林悦", "罗斌"]
ADDRS = ["北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号", "广州市天河区体育西路191号",
         "深圳市南山区科技园南区18栋", "杭州市西湖区文三路259号", "成都市武侯区人民南路四段12号",
         "武汉市洪山区珞喻路1037号", "南京市鼓楼区中山北路30号", "西安市雁塔区小寨东路126号",
         "重庆市渝北区新牌坊二路66号", "天津市南开区鞍山西道192号", "苏州市工业园区星湖街328号",
         "长沙市岳麓区麓山南路932号", "郑州市金水区花园路39号", "哈尔滨市南岗区西大直街92号"]
PHONE_PREFIX = ["138", "139", "137", "136", "135", "150", "151", "158", "159", "186", "187", "188", "131", "177"]
EXPRESS = [("SF", 12), ("YT", 13), ("ZTO", 12), ("JT", 13), ("YD", 13)]


# ----------------------------------------------------------------- library --

class Body:
    def __init__(self, body_id, meta, lines, source):
        self.id = body_id
        self.scenario = meta.get("scenario", "other")
        self.shop = meta.get("shop", "any")
        self.mood = meta.get("mood", "neutral")
        self.end = meta.get("end", "neutral")
        self.tags = set(filter(None, meta.get("tags", "").split(",")))
        self.lines = lines          # list of (role, delay_override, text)
        self.source = source

    @property
    def has_transfer(self):
        return any(r == "S" and "{transfer}" in t for r, _, t in self.lines)


LINE_RE = re.compile(r"^(C|A|S)(?:@(\d+))?:\s?(.*)$")


def load_bodies():
    bodies = []
    for path in sorted(LIB.glob("*.txt")):
        if path.name.startswith("tails"):
            continue
        bodies.extend(parse_body_file(path))
    ids = [b.id for b in bodies]
    dup = [i for i, n in collections.Counter(ids).items() if n > 1]
    if dup:
        sys.exit(f"duplicate body ids: {dup}")
    return bodies


def parse_body_file(path):
    out, cur = [], None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#") and not line.startswith("###"):
            continue
        if line.startswith("###"):
            parts = [p.strip() for p in line[3:].split("|")]
            meta = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
            cur = Body(parts[0], meta, [], f"{path.name}:{n}")
            out.append(cur)
            continue
        m = LINE_RE.match(line)
        if not m or cur is None:
            sys.exit(f"{path.name}:{n}: cannot parse line: {raw!r}")
        cur.lines.append((m.group(1), int(m.group(2)) if m.group(2) else None, m.group(3)))
    return out


def load_tails():
    tails, cur = [], None
    path = LIB / "tails.txt"
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line or (line.startswith("#") and not line.startswith("###")):
            continue
        if line.startswith("###"):
            cur = []
            tails.append(cur)
            continue
        m = LINE_RE.match(line)
        cur.append((m.group(1), int(m.group(2)) if m.group(2) else None, m.group(3)))
    return tails


def rate(value, month):
    if isinstance(value, dict):
        return float(value.get(month, list(value.values())[-1]))
    return float(value)


# --------------------------------------------------------------- generator --

class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.agents = yaml.safe_load((LIB / "agents.yaml").read_text(encoding="utf-8"))["agents"]
        cfg = yaml.safe_load((LIB / "bot.yaml").read_text(encoding="utf-8"))
        self.shops, self.bot = cfg["shops"], cfg["bot"]
        self.bodies = load_bodies()
        self.tails = load_tails()
        self.customers = {}          # customer_id -> {"shop":..., "count":...}
        self.used_bodies = collections.Counter()
        self.conv_counter = collections.Counter()
        self.stats = collections.defaultdict(collections.Counter)

    # ---- personal data
    def phone(self):
        r = self.rng
        return r.choice(PHONE_PREFIX) + "".join(r.choice("0123456789") for _ in range(8))

    def data_slots(self):
        r = self.rng
        pre, n = r.choice(EXPRESS)
        return {
            "order": str(r.randint(2, 4)) + "".join(r.choice("0123456789") for _ in range(17)),
            "express": pre + "".join(r.choice("0123456789") for _ in range(n)),
            "ticket": "GD2026" + "".join(r.choice("0123456789") for _ in range(8)),
            "name": r.choice(NAMES),
            "phone": self.phone(),
            "addr": r.choice(ADDRS),
        }

    # ---- picking
    def pick_customer(self, shop_key, body, day):
        r = self.rng
        known = [c for c, v in self.customers.items() if v["shop"] == shop_key]
        want_repeat = "followup" in body.tags or r.random() < 0.22
        if known and want_repeat:
            cid = r.choice(known)
        else:
            prefix = {"home": "nl", "apparel": "qm"}[shop_key]
            cid = f"{prefix}_buyer_{r.randint(100000, 999999)}"
            self.customers[cid] = {"shop": shop_key, "count": 0}
        self.customers[cid]["count"] += 1
        return cid

    def pick_body(self):
        # Prefer bodies used least so far, so every hand-written body appears.
        r = self.rng
        least = min(self.used_bodies[b.id] for b in self.bodies)
        pool = [b for b in self.bodies if self.used_bodies[b.id] <= least + 1]
        b = r.choice(pool)
        self.used_bodies[b.id] += 1
        return b

    def agents_on_duty(self, day, hour):
        out = []
        for aid, a in self.agents.items():
            if day < dt.date.fromisoformat(str(a["start"])):
                continue
            if a["shift"] == "night":
                if hour >= 18 or hour < 1:
                    out.append(aid)
            else:
                if 9 <= hour < 22:
                    out.append(aid)
        return out

    def pick_agent(self, body, day, hour, exclude=()):
        r = self.rng
        on = [a for a in self.agents_on_duty(day, hour) if a not in exclude]
        if not on:
            on = [a for a in self.agents_on_duty(day, 10) if a not in exclude]
        weights = []
        for aid in on:
            a = self.agents[aid]
            w = float(a["weight"])
            if "calm" in body.tags and aid in ("A05", "A01"):
                w *= 2.5
            if "bad" in body.tags and aid not in ("A06", "A07", "A08"):
                w = 0.0
            if body.scenario in ("complaint", "abusive") and aid == "A05":
                w *= 1.8
            if body.scenario == "presale" and aid == "A03":
                w *= 1.5
            if body.scenario == "presale" and aid == "A05":
                w *= 0.4
            weights.append(w)
        if sum(weights) == 0:
            weights = [1.0] * len(on)
        return r.choices(on, weights)[0]

    def start_time(self, day, kind):
        r = self.rng
        if kind == "split":
            return dt.datetime.combine(day, dt.time(23, r.randint(44, 53), r.randint(0, 59)), TZ)
        if kind == "night":
            return dt.datetime.combine(day, dt.time(r.randint(22, 23), r.randint(0, 40), r.randint(0, 59)), TZ)
        if kind == "after_hours":
            return dt.datetime.combine(day, dt.time(r.randint(0, 6), r.randint(0, 59), r.randint(0, 59)), TZ)
        hours = list(range(9, 24))
        weights = [6, 8, 9, 5, 7, 8, 8, 7, 5, 5, 7, 8, 7, 3, 2]
        h = r.choices(hours, weights)[0]
        return dt.datetime.combine(day, dt.time(h, r.randint(0, 59), r.randint(0, 59)), TZ)

    # ---- slot filling
    def pool(self, agent, key, fallback=""):
        vals = agent.get(key) or []
        return self.rng.choice(vals) if vals else fallback

    def render_agent_line(self, text, agent, aid, month, ctx, first_of_agent):
        r = self.rng
        notes = ctx["notes"]
        greet_prefix = ""
        if first_of_agent:
            greeted = r.random() < rate(agent["greet_rate"], month)
            if text.strip() == "{greet}":
                if greeted:
                    return self.pool(agent, "greet_alone"), "greet"
                notes["greet_missing"] = True
                return self.pool(agent, "bare", "在的"), "greet_missing"
            if greeted:
                greet_prefix = self.pool(agent, "greetings")
                if ctx.get("late") and agent.get("sorry_wait") and r.random() < agent.get("sorry_wait_rate", 0.9):
                    greet_prefix += self.pool(agent, "sorry_wait")
            else:
                notes["greet_missing"] = True
            if "{greet}" not in text:
                text = "{greet}" + text
            if greet_prefix:
                text = re.sub(r"^\{greet\}(亲亲|亲|您好|你好)[，,]", "{greet}", text)
        text = text.replace("{greet}", greet_prefix)

        def sub_empathy(_):
            if r.random() < rate(agent["empathy_rate"], month):
                notes["empathy_used"] = True
                return self.pool(agent, "empathy")
            notes["empathy_skipped"] = True
            return ""

        def sub_taboo(kind):
            def f(_):
                if agent.get(f"taboo_{kind}") and r.random() < ctx["taboo_p"]:
                    notes["taboo"] = True
                    ctx["taboo_line"] = True
                    return self.pool(agent, f"taboo_{kind}")
                return self.pool(agent, kind)
            return f

        def sub_promise(_):
            if r.random() < rate(agent["promise_rate"], month):
                return self.pool(agent, "promise")
            notes["promise_vague"] = True
            return self.pool(agent, "promise_vague", "我们会尽快处理。")

        def sub_confirm(_):
            if r.random() < rate(agent["confirm_rate"], month):
                return self.pool(agent, "confirm")
            return ""

        text = re.sub(r"\{empathy\}", sub_empathy, text)
        text = re.sub(r"\{rule\}", sub_taboo("rule"), text)
        text = re.sub(r"\{dunno\}", sub_taboo("dunno"), text)
        text = re.sub(r"\{promise\}", sub_promise, text)
        text = re.sub(r"\{confirm\}", sub_confirm, text)
        text = text.replace("{wait}", self.pool(agent, "wait", "稍等。"))
        text = text.replace("{sorry_wait}", self.pool(agent, "sorry_wait"))
        return text, None

    def closing_text(self, agent, month, end="happy"):
        r = self.rng
        if r.random() < rate(agent["close_rate"], month):
            if end == "angry":
                return self.pool(agent, "closings_angry", "再次抱歉给您带来不好的体验，后续有任何问题随时联系我们。")
            if agent.get("closings_good") and r.random() < 0.5:
                return self.pool(agent, "closings_good")
            return self.pool(agent, "closings")
        return None

    # ---- one conversation
    def conversation(self, day, kind="normal"):
        r = self.rng
        body = self.pick_body() if kind == "normal" else self.pick_body_for(kind)
        shop_key = body.shop if body.shop != "any" else r.choice(["home", "apparel"])
        shop = self.shops[shop_key]
        channel = r.choices(list(shop["channels"]), list(shop["channels"].values()))[0]
        start = self.start_time(day, "night" if ("night" in body.tags and kind == "normal") else kind)
        month = day.strftime("%Y-%m")
        hour = start.hour
        after_hours = hour < 9 and kind == "after_hours"
        agent_hour = 9 if after_hours else hour
        aid = self.pick_agent(body, day, agent_hour)
        agent = self.agents[aid]
        cid = self.pick_customer(shop_key, body, day)
        slots = self.data_slots()
        ctx = {"notes": {}, "taboo_p": 0.0}
        # Whether this agent's taboo habit shows in this chat at all.
        if r.random() < float(agent.get("taboo_rate", 0)):
            ctx["taboo_p"] = 0.85
        notes = ctx["notes"]

        msgs = []
        t = start

        def add(role, text, delay, who=None, csat=None):
            nonlocal t
            t = t + dt.timedelta(seconds=max(1, int(delay)))
            a = self.agents.get(who) if who else None
            msgs.append({
                "timestamp": t, "role": role, "agent_id": who if role == "agent" else None,
                "agent_name": a["name"] if (a and role == "agent") else (shop["bot_name"] if role == "bot" else None),
                "text": text, "csat": csat,
            })

        def fill(text):
            for k, v in slots.items():
                text = text.replace("{" + k + "}", v)
            return text

        lines = list(body.lines)
        # Some customers open with a bare 在吗 before the question.
        if lines and lines[0][0] == "C" and r.random() < 0.12 and "short" not in body.tags \
                and not lines[0][2].startswith("在"):
            lines.insert(0, ("C", None, r.choice(["在吗", "在吗？", "你好", "有人吗", "客服在吗"])))

        # first customer message
        first_c = fill(lines[0][2]) if lines[0][0] == "C" else "你好"
        t = start - dt.timedelta(seconds=1)
        add("customer", first_c, 1)
        idx = 1 if lines[0][0] == "C" else 0

        bot_mode = None
        if after_hours:
            bot_mode = "after_hours"
        elif r.random() < 0.55:
            bot_mode = r.choice(["welcome", "faq", "faq", "welcome_human"])
        if bot_mode:
            notes["bot"] = True
            bot_name, shop_name = shop["bot_name"], shop["name"]
            if bot_mode == "after_hours":
                add("bot", self.bot["after_hours"][0], r.randint(1, 3))
            elif bot_mode == "welcome":
                add("bot", r.choice(self.bot["welcome"][:3]).format(shop=shop_name, bot=bot_name), r.randint(1, 3))
                add("customer", r.choice(self.bot["customer_ask_human"]), r.randint(5, 40))
                add("bot", r.choice(self.bot["transferring"]), r.randint(1, 2))
            elif bot_mode == "faq":
                cat = {"presale": "presale", "shipping_delay": "shipping", "logistics_stuck": "shipping",
                       "address_change": "shipping"}.get(body.scenario, "aftersale" if body.scenario in (
                           "wrong_missing", "damaged", "return_exchange", "refund", "price_protect") else "generic")
                add("bot", r.choice(self.bot["faq"][cat]), r.randint(1, 3))
                add("customer", r.choice(self.bot["customer_ask_human"]), r.randint(6, 60))
                add("bot", r.choice(self.bot["transferring"]), r.randint(1, 2))
            else:
                add("bot", self.bot["welcome"][3].format(shop=shop_name, bot=bot_name), r.randint(1, 3))
            add("system", self.bot["system_handoff"], 1)

        # first human response delay
        lo, hi = agent["first_response"]
        if r.random() < float(agent["slow_rate"]):
            lo, hi = agent["slow_range"]
        first_delay = r.uniform(lo, hi)
        if after_hours:
            opening = dt.datetime.combine(day, dt.time(9, 0), TZ)
            first_delay = max(first_delay, (opening - t).total_seconds() + r.uniform(60, 900))
        since_first = (t - msgs[0]["timestamp"]).total_seconds()
        ctx["late"] = since_first + first_delay > 150

        current = aid
        seen_agents = set()
        agents_in_chat = [aid]
        pending_first = True
        veered = False
        has_close_slot = any("{close}" in text for _, _, text in lines)
        last_role = "customer"
        closed = False

        i = idx
        while i < len(lines):
            role, override, text = lines[i]
            i += 1
            if role == "S":
                if "{transfer}" in text:
                    to = self.transfer_target(body, day, agent_hour, current)
                    add("system", f"会话已转接至客服 {to}", r.randint(3, 20))
                    current = to
                    agents_in_chat.append(to)
                    pending_first = True
                    notes["transfer"] = True
                else:
                    add("system", fill(text), 2)
                continue
            if role == "C":
                if override:
                    d = override * r.uniform(0.8, 1.25)
                else:
                    d = r.uniform(8, 45) + len(text) * r.uniform(0.4, 1.2)
                    if r.random() < 0.08:
                        d += r.uniform(60, 300)
                add("customer", fill(text), d)
                last_role = "customer"
                continue
            # agent line
            ag = self.agents[current]
            if text.strip() == "{close}":
                c = self.closing_text(ag, month, "angry" if veered else body.end)
                if veered and r.random() < 0.7:
                    c = None
                if c is None:
                    notes["close_missing"] = True
                    continue
                closed = True
                text = c
            first_here = current not in seen_agents
            ctx["taboo_line"] = False
            rendered, _ = self.render_agent_line(text, ag, current, month, ctx, first_here)
            seen_agents.add(current)
            rendered = fill(rendered).strip()
            if not rendered:
                continue
            if pending_first and current == aid:
                d = first_delay
            elif pending_first:
                d = r.uniform(20, 120) if current != "A07" else r.uniform(120, 500)
            else:
                lo, hi = ag["reply"]
                d = r.uniform(lo, hi) + len(rendered) * r.uniform(0.2, 0.6)
                if last_role == "agent":
                    d = r.uniform(3, 40) + len(rendered) * 0.3
            pending_first = False
            # A taboo-prone agent sometimes snaps at an unhappy customer mid-chat.
            if (ctx["taboo_p"] > 0 and not first_here and body.mood != "neutral" and ag.get("taboo_inject")
                    and not notes.get("taboo") and r.random() < 0.35 and "{close}" not in text):
                rendered = self.pool(ag, "taboo_inject") + rendered
                notes["taboo"] = True
                ctx["taboo_line"] = True
            add("agent", rendered, d, who=current)
            last_role = "agent"
            if ctx["taboo_line"] and body.mood != "neutral" and not veered and r.random() < 0.6:
                # The customer reacts to the taboo phrase; the chat turns sour.
                veered = True
                tail = r.choice(self.tails)
                lines = lines[:i] + tail + ([("A", None, "{close}")] if r.random() < 0.4 else [])
                notes["veered"] = True

        if not has_close_slot and not veered and not closed:
            c = self.closing_text(self.agents[current], month, body.end)
            if c:
                add("agent", c, r.uniform(5, 40), who=current)
            else:
                notes["close_missing"] = True

        end = "angry" if veered else body.end
        first_agent_msg = next((m for m in msgs if m["role"] == "agent"), None)
        frt = (first_agent_msg["timestamp"] - msgs[0]["timestamp"]).total_seconds() if first_agent_msg else None

        csat = None
        p_rate = {"happy": 0.55, "neutral": 0.45, "angry": 0.7}[end]
        if r.random() < p_rate:
            base = {"happy": r.choice([5, 5, 5, 4, 4]), "neutral": r.choice([3, 4, 4, 5, 3, 2]),
                    "angry": r.choice([1, 1, 1, 2, 2, 3])}[end]
            if frt and frt > SLA_SECONDS and r.random() < 0.7:
                base -= 1
            if notes.get("taboo") and r.random() < 0.8:
                base -= 1
            if notes.get("greet_missing") and notes.get("close_missing") and r.random() < 0.5:
                base -= 1
            if aid in ("A01", "A05") and end != "angry" and r.random() < 0.5:
                base += 1
            csat = max(1, min(5, base))
            add("system", f"买家已评价：{CSAT_TEXT[csat]}（{csat}星）", r.uniform(10, 600), csat=csat)

        self.conv_counter[(day, shop["code"])] += 1
        conv_id = f"{shop['code']}{day.strftime('%Y%m%d')}-{self.conv_counter[(day, shop['code'])]:03d}"
        rows = []
        for seq, m in enumerate(msgs, 1):
            rows.append({
                "conversation_id": conv_id, "seq": seq,
                "timestamp": m["timestamp"].isoformat(timespec="seconds"),
                "role": m["role"], "agent_id": m["agent_id"], "agent_name": m["agent_name"],
                "customer_id": cid, "text": m["text"], "channel": channel, "shop": shop["name"],
                "csat": m["csat"],
            })
        info = {
            "conversation_id": conv_id, "body": body.id, "scenario": body.scenario, "shop": shop["name"],
            "channel": channel, "month": month, "day": day, "agent": aid,
            "agents": list(dict.fromkeys(agents_in_chat)), "customer_id": cid, "end": end, "csat": csat,
            "first_response_s": frt, "notes": dict(notes), "start": start, "kind": kind,
            "messages": len(rows),
        }
        return rows, info

    def transfer_target(self, body, day, hour, current):
        if current != "A05" and "A05" in self.agents_on_duty(day, max(hour, 9)) and self.rng.random() < 0.7:
            return "A05"
        on = [a for a in self.agents_on_duty(day, max(hour, 9) if hour < 22 else hour) if a != current]
        return self.rng.choice(on or ["A02"])

    def pick_body_for(self, kind):
        r = self.rng
        if kind == "split":
            pool = [b for b in self.bodies if len(b.lines) >= 8 and not b.has_transfer]
        else:
            pool = [b for b in self.bodies if b.scenario not in ("presale",) and not b.has_transfer]
        b = r.choice(pool)
        self.used_bodies[b.id] += 1
        return b


# ------------------------------------------------------------------ output --

def write_messy(g, seed):
    pass  # filled in below


def write_readme(g, convs, by_day, seed):
    pass


def build(seed):
    g = Generator(seed)
    r = g.rng
    convs = []
    days = [START_DAY + dt.timedelta(days=i) for i in range((END_DAY - START_DAY).days + 1)]
    split_days = set(r.sample(days[:-1], 6))
    after_hours_days = set(r.sample(days, 6))
    seen = set()

    def make(day, kind="normal"):
        # Redraw when a conversation repeats another one word for word.
        for _ in range(20):
            rows, info = g.conversation(day, kind)
            key = tuple(m["text"] for m in rows)
            if key not in seen:
                seen.add(key)
                return rows, info
            g.conv_counter[(day, rows[0]["conversation_id"][:2])] -= 1
        sys.exit("cannot draw a new distinct conversation; add bodies")

    for day in days:
        n = r.choice([5, 5, 6, 6, 6])
        if dt.date(2026, 10, 1) <= day <= dt.date(2026, 10, 7):
            n -= 1  # 国庆: fewer chats, more shipping questions afterwards
        if day in split_days:
            convs.append(make(day, "split"))
            n -= 1
        if day in after_hours_days:
            convs.append(make(day, "after_hours"))
            n -= 1
        for _ in range(n):
            convs.append(make(day))
    # Make sure every split conversation really crosses midnight.
    for rows, info in convs:
        if info["kind"] == "split":
            d0 = rows[0]["timestamp"][:10]
            if rows[-1]["timestamp"][:10] == d0:
                # stretch the last customer gap over midnight
                last = dt.datetime.fromisoformat(rows[-1]["timestamp"])
                midnight = dt.datetime.combine(dt.date.fromisoformat(d0) + dt.timedelta(days=1), dt.time(0, 0), TZ)
                shift = (midnight - last).total_seconds() + r.randint(30, 400)
                k = max(2, len(rows) // 2)
                for row in rows[k:]:
                    ts = dt.datetime.fromisoformat(row["timestamp"]) + dt.timedelta(seconds=shift)
                    row["timestamp"] = ts.isoformat(timespec="seconds")
    texts = collections.Counter(tuple(m["text"] for m in rows) for rows, _ in convs)
    dups = [k for k, v in texts.items() if v > 1]
    if dups:
        sys.exit(f"{len(dups)} duplicated conversations; change the seed or add bodies")
    return g, convs


def write_nightly(convs):
    for old in SAMPLE.glob("chats-*.jsonl"):
        old.unlink()
    by_day = collections.defaultdict(list)
    for rows, _ in convs:
        for row in rows:
            by_day[row["timestamp"][:10]].append(row)
    for day, rows in sorted(by_day.items()):
        rows.sort(key=lambda x: (x["timestamp"], x["conversation_id"], x["seq"]))
        with open(SAMPLE / f"chats-{day}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return by_day


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20260901)
    ap.add_argument("--no-messy", action="store_true", help="do not rewrite data/sample/messy")
    args = ap.parse_args(argv)
    g, convs = build(args.seed)
    by_day = write_nightly(convs)
    if not args.no_messy:
        write_messy(g, args.seed)
    write_readme(g, convs, by_day, args.seed)
    print(f"{len(convs)} conversations, {sum(len(r) for r, _ in convs)} messages, {len(by_day)} nightly files")


if __name__ == "__main__":
    main()
