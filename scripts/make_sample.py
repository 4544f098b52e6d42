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
{name} {phone} {addr} {idcard}.  The first agent line of each agent gets a greeting
prefix unless it already holds {greet}.  A {close} line is dropped when the
agent forgets to close; bodies without one get a closing appended at the
agent's rate.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
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
ID_RE = r"[1-6][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]"
HANDOFF = ["这个问题需要售后专员跟进，我帮您转接一下，请稍等。", "我帮您转给售后同事处理，后面由售后同事继续跟进，请稍等~",
           "这个情况我转接给专门负责售后的同事，请您稍等一下。"]
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
        self.body_by_id = {b.id: b for b in self.bodies}
        self.tails = load_tails()
        self.customers = {}          # customer_id -> {"shop":..., "count":...}
        self.used_bodies = collections.Counter()
        self.conv_counter = collections.Counter()
        self.load = collections.Counter()   # (month, agent) -> conversations assigned

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
            "idcard": self.idcard(),
        }

    def idcard(self):
        # 18-digit resident ID shape with a valid check digit (fake region/birth/sequence).
        r = self.rng
        body = (r.choice(["110105", "310115", "440106", "330106", "510107"])
                + f"{r.randint(1965, 2002)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + f"{r.randint(0, 999):03d}")
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
        return body + check

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
            if "bad" in body.tags:
                w = {"A08": 1.0, "A06": 0.25}.get(aid, 0.0)
            if body.scenario in ("complaint", "abusive") and aid == "A05":
                w *= 1.8
            if body.scenario == "presale" and aid == "A03":
                w *= 1.5
            if body.scenario == "presale" and aid == "A05":
                w *= 0.4
            # Keep monthly workloads comparable, so every agent's QA card has enough chats.
            month = day.strftime("%Y-%m")
            counts = [self.load[(month, x)] for x in on]
            w *= math.exp(-(self.load[(month, aid)] - sum(counts) / len(counts)) / 3.0)
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
        notes = ctx["by_agent"][aid]   # what this agent did or forgot
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
                text = re.sub(r"^(\{greet\})?(亲亲|亲)[，,]", r"\1", text)
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
        text = text.replace("{handoff}", self.pool(agent, "handoff", r.choice(HANDOFF)))
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
        while body.has_transfer and kind == "normal" and start.hour >= 21:
            start = self.start_time(day, kind)  # nobody to transfer to on the night shift
        month = day.strftime("%Y-%m")
        hour = start.hour
        after_hours = hour < 9 and kind == "after_hours"
        agent_hour = 9 if after_hours else hour
        aid = self.pick_agent(body, day, agent_hour)
        self.load[(day.strftime("%Y-%m"), aid)] += 1
        agent = self.agents[aid]
        cid = self.pick_customer(shop_key, body, day)
        slots = self.data_slots()
        ctx = {"notes": {}, "by_agent": collections.defaultdict(dict), "taboo_p": 0.0}
        by_agent = ctx["by_agent"]
        # Whether this agent's taboo habit shows in this chat at all.
        if r.random() < float(agent.get("taboo_rate", 0)):
            ctx["taboo_p"] = 0.85
        notes = ctx["notes"]
        if "bad" in body.tags:
            by_agent[aid]["taboo"] = True  # the body itself holds the taboo wording

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
        # Some after-sales chats get handed to a colleague (usually the after-sales specialist).
        if (kind == "normal" and not body.has_transfer and body.scenario not in ("presale", "short", "other")
                and "bad" not in body.tags and aid != "A05" and 9 <= agent_hour < 21 and r.random() < 0.14):
            agent_idx = [k for k, ln in enumerate(lines) if ln[0] == "A" and "{close}" not in ln[2]]
            if len(agent_idx) >= 3:
                at = agent_idx[1]
                lines[at:at] = [("A", None, "{handoff}"), ("S", None, "{transfer}")]
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
            add("system", self.bot["system_after_hours"] if bot_mode == "after_hours" else self.bot["system_handoff"], 1)

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
                    by_agent[current]["close_missing"] = True
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
            # A taboo-prone agent sometimes snaps at the customer mid-chat.
            last_chance = not any(ln[0] == "A" and "{close}" not in ln[2] for ln in lines[i:])
            if (ctx["taboo_p"] > 0 and (not first_here or last_chance) and ag.get("taboo_inject")
                    and current == aid and not by_agent[current].get("taboo") and "{close}" not in text
                    and (last_chance or r.random() < 0.45)):
                key = "taboo_inject" if body.mood in ("negative", "angry") else "taboo_inject_neutral"
                rendered = (self.pool(ag, key) or self.pool(ag, "taboo_inject")) + rendered
                by_agent[current]["taboo"] = True
                ctx["taboo_line"] = True
            add("agent", rendered, d, who=current)
            last_role = "agent"
            if ctx["taboo_line"] and body.mood in ("negative", "angry") and not veered and r.random() < 0.6:
                # The customer reacts to the taboo phrase; the chat turns sour.
                veered = True
                tail = r.choice(self.tails)
                lines = lines[:i] + tail + ([("A", None, "{close}")] if r.random() < 0.4 else [])
                notes["veered"] = True

        if not has_close_slot and not veered and not closed and "bad" not in body.tags:
            c = self.closing_text(self.agents[current], month, body.end)
            if c:
                add("agent", c, r.uniform(5, 40), who=current)
            else:
                by_agent[current]["close_missing"] = True

        end = "angry" if veered else body.end
        first_agent_msg = next((m for m in msgs if m["role"] == "agent"), None)
        frt = (first_agent_msg["timestamp"] - msgs[0]["timestamp"]).total_seconds() if first_agent_msg else None

        csat = None
        p_rate = {"happy": 0.55, "neutral": 0.45, "angry": 0.7}[end]
        if r.random() < p_rate:
            base = {"happy": r.choice([5, 5, 4, 4]), "neutral": r.choice([3, 3, 4]),
                    "angry": r.choice([1, 1, 2])}[end]
            if frt and frt > SLA_SECONDS and r.random() < 0.7:
                base -= 1
            if any(v.get("taboo") for v in by_agent.values()) and r.random() < 0.8:
                base -= 1
            if any(v.get("greet_missing") and v.get("close_missing") for v in by_agent.values()) and r.random() < 0.5:
                base -= 1
            # How the customer felt about this agent beyond what the body says.
            bias = float(self.agents[agents_in_chat[-1]].get("csat_bias", 0))
            base += int(bias) + (1 if r.random() < abs(bias - int(bias)) else 0) * (1 if bias > 0 else -1)
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
            "first_response_s": frt, "notes": dict(notes), "agent_notes": {k: dict(v) for k, v in by_agent.items()}, "start": start, "kind": kind,
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

def _table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _median(xs):
    return round(statistics.median(xs)) if xs else "–"


MESSY = SAMPLE / "messy"


def _messy_convs(g, day, n, prefix):
    """Fresh conversations for the messy exports (ids MX-…, outside the nightly sample)."""
    out = []
    for _ in range(n):
        rows, info = g.conversation(day)
        new_id = f"MX-{prefix}-{len(out) + 1:03d}"
        for row in rows:
            row["conversation_id"] = new_id
        out.append(rows)
    return out


def write_messy(g):
    import csv
    import pandas as pd

    MESSY.mkdir(exist_ok=True)
    for old in MESSY.iterdir():
        if old.name != "README.md":
            old.unlink()
    notes = {}

    # 1. 千牛-style export: GBK, Chinese headers, Chinese role words, naive local times.
    day = dt.date(2026, 11, 1)
    convs = []
    while len(convs) < 4:
        rows = _messy_convs(g, day, 1, f"QN{len(convs) + 1}")[0]
        try:
            for row in rows:
                row["text"].encode("gbk")
        except UnicodeEncodeError:
            continue
        for row in rows:
            row["conversation_id"] = f"QN-20261101-{len(convs) + 1:03d}"
        convs.append(rows)
    # one message with a comma and double quotes, so the CSV needs quoting
    convs[0][0]["text"] = '你好，尺码表上写的"L"是多少厘米，能发我吗'
    role_zh = {"customer": "买家", "agent": "客服", "bot": "机器人", "system": "系统"}
    n_rows = 0
    with open(MESSY / "qianniu-export-gbk.csv", "w", encoding="gbk", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["会话ID", "客服", "买家", "时间", "内容", "发送方"])
        for rows in convs:
            for row in rows:
                ts = dt.datetime.fromisoformat(row["timestamp"]).strftime("%Y-%m-%d %H:%M:%S")
                wr.writerow([row["conversation_id"], row["agent_id"] or "", row["customer_id"], ts,
                             row["text"], role_zh[row["role"]]])
                n_rows += 1
    notes["gbk"] = (n_rows, len(convs))
    (MESSY / "mapping.yaml").write_text(
        "# Column mapping for qianniu-export-gbk.csv (source column -> canonical field).\n"
        "# 时间 holds naive local times; they are read as Asia/Shanghai.\n"
        "columns: {会话ID: conversation_id, 客服: agent_id, 买家: customer_id, 时间: timestamp, 内容: text, 发送方: role}\n"
        "roles: {客服: agent, 买家: customer, 机器人: bot, 系统: system}\n", encoding="utf-8")

    # 2. helpdesk export: UTF-8 with BOM, canonical headers, epoch-second timestamps,
    #    one message with a line break inside (quoted).
    convs = _messy_convs(g, dt.date(2026, 11, 2), 3, "HD")
    convs[1][0]["text"] = convs[1][0]["text"] + "\n订单截图在下面，麻烦看一下"
    fields = ["conversation_id", "seq", "timestamp", "role", "agent_id", "agent_name", "customer_id", "text",
              "channel", "shop", "csat"]
    n_rows = 0
    with open(MESSY / "helpdesk-export-utf8-bom.csv", "w", encoding="utf-8-sig", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields)
        wr.writeheader()
        for rows in convs:
            for row in rows:
                out = dict(row)
                out["timestamp"] = int(dt.datetime.fromisoformat(row["timestamp"]).timestamp())
                wr.writerow({k: ("" if v is None else v) for k, v in out.items()})
                n_rows += 1
    notes["bom"] = (n_rows, len(convs))

    # 3. nested JSON: conversation-level fields once, messages in a list.
    convs = _messy_convs(g, dt.date(2026, 11, 3), 3, "NJ")
    nested = []
    for rows in convs:
        nested.append({
            "conversation_id": rows[0]["conversation_id"], "shop": rows[0]["shop"],
            "channel": rows[0]["channel"], "customer_id": rows[0]["customer_id"],
            "messages": [{k: row[k] for k in ("seq", "timestamp", "role", "agent_id", "agent_name", "text", "csat")
                          if row[k] is not None} for row in rows],
        })
    (MESSY / "export-nested.json").write_text(json.dumps(nested, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    notes["nested"] = (sum(len(c["messages"]) for c in nested), len(nested))

    # 4. Parquet with canonical columns (timestamp as ISO-8601 string, csat as nullable int).
    convs = _messy_convs(g, dt.date(2026, 11, 4), 3, "PQ")
    df = pd.DataFrame([row for rows in convs for row in rows], columns=fields)
    df["csat"] = df["csat"].astype("Int64")
    df.to_parquet(MESSY / "export.parquet", index=False)
    notes["parquet"] = (len(df), len(convs))

    # 5. JSONL with bad rows (line numbers documented in messy/README.md).
    base = _messy_convs(g, dt.date(2026, 11, 5), 2, "BAD")
    a, b = base
    while a[-1]["role"] == "system":   # the extra rows below continue the chat, so no rating yet
        a.pop()
    lines = []   # (json-or-raw, expectation, why)

    def add(obj, expect, why, raw=None):
        lines.append((raw if raw is not None else json.dumps(obj, ensure_ascii=False), expect, why))

    cid_a = a[0]["conversation_id"]
    agent_row = next(r for r in a if r["role"] == "agent")
    for row in a[:3]:
        add(row, "stored", "ordinary row")
    add(dict(a[1]), "duplicate", "exact duplicate of line 2 (same message exported twice)")
    for row in a[3:]:
        add(row, "stored", "ordinary row")
    t0 = dt.datetime.fromisoformat(a[-1]["timestamp"])

    def ts(sec):
        return (t0 + dt.timedelta(seconds=sec)).isoformat(timespec="seconds")

    common = {k: a[0][k] for k in ("customer_id", "channel", "shop")}
    cust = lambda sec, text, **kw: {"conversation_id": cid_a, "timestamp": ts(sec), "role": "customer",
                                     "agent_id": None, "text": text, **common, **kw}
    agt = lambda sec, text, **kw: {"conversation_id": cid_a, "timestamp": ts(sec), "role": "agent",
                                    "agent_id": agent_row["agent_id"], "agent_name": agent_row["agent_name"],
                                    "text": text, **common, **kw}
    add(cust(60, "還有一個問題，這件衣服可以退貨嗎？我覺得顏色不太對[微笑]"), "stored",
        "traditional characters + platform emoticon code [微笑]")
    add(agt(90, "<p>亲，可以的哦<br/>签收后<b>7天内</b>支持七天无理由退货&nbsp;#E-s21</p>"), "stored",
        "HTML fragment, &nbsp; entity and emoticon code #E-s21 (normalise strips them)")
    add(cust(150, "我的订单号是ＡＢ２０２６１１０５，电话１３８１２３４５６７８"), "stored",
        "full-width letters and digits, incl. a full-width phone number the masking must still catch")
    add({**cust(170, "店小二你好"), "role": "店小二"}, "quarantined",
        "unknown role string '店小二' (not customer/agent/bot/system nor a known synonym)")
    add({k: v for k, v in cust(0, "你们几点发货").items() if k != "timestamp"}, "quarantined",
        "timestamp missing")
    add(cust(200, "", ), "stored", "empty text (a picture message) is kept, not quarantined")
    pasted = ("【商品详情】" + "本品采用优质新疆长绒棉，经过精梳、紧密纺、活性印染等多道工序，手感柔软亲肤，透气吸湿。"
              "尺寸：1.8米床适用，被套200*230cm，床单245*250cm，枕套48*74cm。洗涤说明：首次洗涤请单独冷水洗涤，"
              "不可漂白，低温熨烫，阴凉处晾干。") * 70
    add(cust(260, "我直接把详情页复制过来了，你看看是不是这个意思：" + pasted), "stored",
        f"very long pasted text ({len(pasted) + 26} characters): kept whole")
    add(agt(320, "亲，是的，您复制的就是这款四件套的说明，尺寸没有问题~"), "stored", "ordinary row")
    add(agt(400, "请问还有其他可以帮您的吗？祝您生活愉快~", agent_id=None) | {"agent_id": None}, "quarantined",
        "agent row without agent_id")
    add({**cust(420, "好的谢谢"), "timestamp": "2026-11-05 25:61:00"}, "quarantined",
        "timestamp not a valid time (25:61)")
    # conversation b: rows written out of time order, no seq
    rows_b = [dict(r) for r in b]
    for r in rows_b:
        r.pop("seq", None)
    order = list(range(len(rows_b)))
    order[1], order[3] = order[3], order[1]
    order[-1], order[-2] = order[-2], order[-1]
    for k in order[:-1]:
        add(rows_b[k], "stored", "conversation " + rows_b[k]["conversation_id"] +
            ": rows out of timestamp order and without seq (ordered by timestamp on assembly)")
    last = json.dumps(rows_b[order[-1]], ensure_ascii=False)
    add(None, "quarantined", "truncated last line (the export was cut off mid-record)",
        raw=last[: len(last) // 2])
    with open(MESSY / "bad-rows.jsonl", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(l for l, _, _ in lines))   # no newline after the truncated line
    notes["bad"] = lines
    write_messy_readme(notes)


def write_messy_readme(notes):
    w = []
    w.append("# Messy exports (synthetic)")
    w.append("")
    w.append("Small real-world-style exports for the README example and the demo. All content is synthetic,")
    w.append("written for this project (generated by `scripts/make_sample.py` from the same hand-written")
    w.append("library as the nightly sample; conversation ids start with `MX-` or `QN-` so they never clash")
    w.append("with the nightly sample). Decisions on doubtful rows follow `pipeline/ingest.py`'s documented")
    w.append("policy and `shared/spec/chatlog-format.md`.")
    w.append("")
    w.append("| file | what it is | rows | conversations |")
    w.append("|---|---|---|---|")
    w.append(f"| `qianniu-export-gbk.csv` | 千牛-style export: **GBK** encoded, Chinese headers `会话ID, 客服, 买家, 时间, 内容, 发送方`, role words 客服/买家/机器人/系统, naive local times `2026-11-01 14:02:11` (Asia/Shanghai). One text holds a comma and double quotes (CSV-quoted). Read it with `mapping.yaml`. | {notes['gbk'][0]} | {notes['gbk'][1]} |")
    w.append(f"| `mapping.yaml` | the column mapping for the GBK file: `columns:` source column → canonical field, `roles:` source role word → canonical role | – | – |")
    w.append(f"| `helpdesk-export-utf8-bom.csv` | helpdesk export: **UTF-8 with BOM**, canonical headers, timestamps as **epoch seconds**, empty cells for nulls; one message contains a line break inside a quoted field | {notes['bom'][0]} | {notes['bom'][1]} |")
    w.append(f"| `export-nested.json` | **nested JSON**: a list of conversations (`conversation_id, shop, channel, customer_id`) each with a `messages` list (`seq, timestamp, role, agent_id, agent_name, text, csat`; null fields left out) | {notes['nested'][0]} | {notes['nested'][1]} |")
    w.append(f"| `export.parquet` | **Parquet** with the canonical columns (timestamp as ISO-8601 string with +08:00, csat as nullable Int64) | {notes['parquet'][0]} | {notes['parquet'][1]} |")
    bad = notes["bad"]
    cnt = collections.Counter(e for _, e, _ in bad)
    w.append(f"| `bad-rows.jsonl` | JSON Lines full of trouble, line by line below | {len(bad)} | 2 |")
    w.append("")
    w.append("All rows of the first four files are valid: every one of them should be stored.")
    w.append("")
    w.append("## bad-rows.jsonl, line by line")
    w.append("")
    w.append(f"Expected: read **{len(bad)}** = stored **{cnt['stored']}** + duplicates **{cnt['duplicate']}**"
             f" + quarantined **{cnt['quarantined']}** (on a first run into an empty store).")
    w.append("")
    w.append("| line | expected | why |")
    w.append("|---|---|---|")
    for n, (_, e, why) in enumerate(bad, 1):
        w.append(f"| {n} | {e} | {why} |")
    w.append("")
    w.append("Notes: the duplicate on line 4 is not an error to fix but the same message exported twice; it is")
    w.append("counted as a duplicate, not stored again. The truncated last line has no trailing newline. The")
    w.append("traditional characters, full-width characters, HTML and emoticon codes are kept in the stored text")
    w.append("(masked) and cleaned only in the normalised view used for scoring.")
    w.append("")
    w.append("Try it:")
    w.append("")
    w.append("```")
    w.append("zhijian score data/sample/messy/qianniu-export-gbk.csv --mapping data/sample/messy/mapping.yaml --results out.jsonl")
    w.append("zhijian score data/sample/messy/bad-rows.jsonl --results out.jsonl")
    w.append("```")
    (MESSY / "README.md").write_text("\n".join(w) + "\n", encoding="utf-8")


def write_readme(g, convs, by_day, seed):
    infos = [info for _, info in convs]
    months = sorted({i["month"] for i in infos})
    n_msgs = sum(len(r) for r, _ in convs)
    lines = []
    w = lines.append
    w("# Bundled sample data (synthetic)")
    w("")
    w("**Everything in this folder is synthetic, written for the Zhijian project.** The shops, agents,")
    w("customers, order numbers, phone numbers, names and addresses are invented; any resemblance to real")
    w("people or shops is accidental. The phone numbers and addresses are there on purpose, so that the")
    w("masking stage has something to mask.")
    w("")
    w("This file is written by `scripts/make_sample.py` (seed %d); every count below is computed by" % seed)
    w("that script from the data it wrote, not estimated. Regenerate everything with:")
    w("")
    w("```")
    w(".venv/bin/python scripts/make_sample.py            # same seed -> byte-identical files")
    w(".venv/bin/python scripts/make_sample.py --seed 7   # another draw from the same library")
    w("```")
    w("")
    w("## Layout")
    w("")
    w("- `chats-YYYY-MM-DD.jsonl` — one file per night, one message per line in the canonical shape of")
    w("  `shared/spec/chatlog-format.md` (`conversation_id, seq, timestamp, role, agent_id, agent_name,")
    w("  customer_id, text, channel, shop, csat`; absent values are `null`). A message goes into the file")
    w("  of its own local (+08:00) date, so a chat that starts just before midnight continues in the next")
    w("  night's file (same `conversation_id`, no message repeated).")
    w("- `library/` — the hand-written material the generator assembles: conversation bodies")
    w("  (`presale.txt`, `shipping.txt`, `aftersale.txt`, `complaint.txt`, `mixed.txt`, `short.txt`), the endings used")
    w("  when an agent's taboo phrase sets a customer off (`tails.txt`), the per-agent style pools")
    w("  (`agents.yaml`: each agent's own greetings, closings, empathy, confirmation and time-commitment")
    w("  phrases, and the rates at which they use or forget them) and the shops and the bot (`bot.yaml`).")
    w("- `messy/` — small real-world-style exports (GBK CSV with Chinese headers + `mapping.yaml`,")
    w("  UTF-8-BOM CSV, nested JSON, Parquet, and a JSONL full of bad rows); see `messy/README.md`.")
    w("")
    w("## Totals")
    w("")
    rows = []
    for m in months:
        mi = [i for i in infos if i["month"] == m]
        rows.append([m, len(mi), sum(i["messages"] for i in mi),
                     sum(1 for i in mi if i["notes"].get("bot")),
                     sum(1 for i in mi if i["notes"].get("transfer")),
                     sum(1 for i in mi if i["csat"]),
                     round(statistics.mean([i["csat"] for i in mi if i["csat"]]), 2),
                     sum(1 for i in mi if i["end"] == "angry")])
    rows.append(["**all**", len(infos), n_msgs, sum(1 for i in infos if i["notes"].get("bot")),
                 sum(1 for i in infos if i["notes"].get("transfer")), sum(1 for i in infos if i["csat"]),
                 round(statistics.mean([i["csat"] for i in infos if i["csat"]]), 2),
                 sum(1 for i in infos if i["end"] == "angry")])
    w(_table(["month (start date)", "conversations", "messages", "bot answered first", "agent transfers",
              "with CSAT", "mean CSAT", "customer ends angry"], rows))
    w("")
    cust = collections.Counter(i["customer_id"] for i in infos)
    split = [r[0]["conversation_id"] for r, _ in convs if r[0]["timestamp"][:10] != r[-1]["timestamp"][:10]]
    after = [i["conversation_id"] for i in infos if i["kind"] == "after_hours"]
    night = [i for i in infos if i["start"].hour >= 22 or i["start"].hour < 9]
    w(f"- {len(by_day)} nightly files, {min(by_day)} … {max(by_day)}; {len(infos)} conversations, {n_msgs} messages.")
    w(f"- Shops: " + ", ".join(f"{k} {v}" for k, v in collections.Counter(i['shop'] for i in infos).most_common())
      + "; channels: " + ", ".join(f"{k} {v}" for k, v in collections.Counter(i['channel'] for i in infos).most_common()) + ".")
    w(f"- {len(cust)} distinct customers; {sum(1 for v in cust.values() if v > 1)} of them come back"
      f" (2+ conversations, up to {max(cust.values())}).")
    w(f"- Conversations split across two nightly files ({len(split)}): " + ", ".join(f"`{c}`" for c in split) + ".")
    w(f"- Night chats (start 22:00–09:00): {len(night)}. Of these, {len(after)} arrive after the human service"
      " hours (00:00–09:00): the bot answers, a human picks the chat up after 09:00, so these breach the")
    w("  5-minute first-response SLA through no fault of the morning agent: " + ", ".join(f"`{c}`" for c in after) + ".")
    def count(pattern):
        return sum(1 for r, _ in convs for m in r if re.search(pattern, m["text"] or ""))
    w(f"- Personal data for the masking stage: {count(r'1[3-9][0-9]{9}')} messages with a phone number, "
      f"{count('|'.join(ADDRS))} with a street address, {count(r'收件人|联系人')} with a recipient/contact name, "
      f"{count(ID_RE)} with a resident ID-card number, {count(r'@example')} with an e-mail address; "
      f"order numbers ({count(r'(?<![0-9])[2-4][0-9]{17}(?![0-9X])')} messages) are 18 digits, like Taobao's, and are not personal data.")
    w("")
    w("## Agents: intended profiles and what the sample actually holds")
    w("")
    w("Read this next to the monthly QA cards: the cards should tell the same story. The counts are per")
    w("conversation in which the agent was the **first** human agent (transfers also count for the agent")
    w("who received the chat in the *handled* column). *SLA breach*: first human reply more than 300 s after")
    w("the customer's first message. *Greeting/closing missing*, *empathy skipped* and *taboo* record what")
    w("the generator decided; the QA pipeline has to find them on its own.")
    w("")
    rows = []
    for aid, a in g.agents.items():
        w(f"- **{aid} {a['name']}** — {a['profile']}")
    w("")
    for m in months:
        rows = []
        for aid, a in g.agents.items():
            mine = [i for i in infos if i["agent"] == aid and i["month"] == m]
            handled = [i for i in infos if aid in i["agents"] and i["month"] == m]
            frts = [i["first_response_s"] for i in mine if i["first_response_s"] is not None
                    and i["kind"] != "after_hours"]
            cs = [i["csat"] for i in mine if i["csat"]]
            rows.append([f"{aid} {a['name']}", len(handled), len(mine), _median(frts),
                         sum(1 for x in frts if x > SLA_SECONDS),
                         sum(1 for i in mine if i["agent_notes"].get(aid, {}).get("greet_missing")),
                         sum(1 for i in mine if i["agent_notes"].get(aid, {}).get("close_missing")),
                         sum(1 for i in mine if i["agent_notes"].get(aid, {}).get("empathy_skipped")),
                         sum(1 for i in mine if i["agent_notes"].get(aid, {}).get("taboo")),
                         sum(1 for i in mine if i["end"] == "angry"),
                         f"{round(statistics.mean(cs), 2)} (n={len(cs)})" if cs else "–"])
        w(f"### {m}")
        w("")
        w(_table(["agent", "handled", "first agent", "median first reply (s)*", "SLA breaches*",
                  "greeting missing", "closing missing", "empathy skipped", "taboo phrase", "ends angry",
                  "mean CSAT"], rows))
        w("")
    w("\\* excluding the after-hours chats listed above.")
    w("")
    w("Example conversations per agent, for checking the coaching examples on the QA cards:")
    w("")
    for aid, a in g.agents.items():
        mine = [i for i in infos if i["agent"] == aid]
        ex = []
        for label, test in (("taboo phrase", lambda i: i["agent_notes"].get(aid, {}).get("taboo")),
                            ("SLA breach", lambda i: (i["first_response_s"] or 0) > SLA_SECONDS and i["kind"] != "after_hours"),
                            ("no greeting", lambda i: i["agent_notes"].get(aid, {}).get("greet_missing")),
                            ("no closing", lambda i: i["agent_notes"].get(aid, {}).get("close_missing")),
                            ("angry customer calmed", lambda i: g.body_by_id[i["body"]].mood == "angry" and i["end"] == "happy")):
            ids = [i["conversation_id"] for i in mine if test(i)][:3]
            if ids:
                ex.append(f"{label}: " + ", ".join(f"`{c}`" for c in ids))
        w(f"- {aid} {a['name']}: " + ("; ".join(ex) if ex else "–"))
    w("")
    w("## Scenarios")
    w("")
    sc = collections.Counter((i["scenario"], i["month"]) for i in infos)
    rows = [[k, v, *[sc[(k, m)] for m in months], sum(sc[(k, m)] for m in months),
             sum(1 for b in g.bodies if b.scenario == k)] for k, v in SCENARIO_LABELS.items()]
    w(_table(["scenario", "中文", *months, "total", "hand-written bodies"], rows))
    w("")
    ends = collections.Counter(i["end"] for i in infos)
    w(f"Customer mood at the end (as written): happy {ends['happy']}, neutral {ends['neutral']}, angry {ends['angry']}.")
    w(f"Other things to find: abusive customers (垃圾客服 / 你是猪吗 / 滚) in the `abusive` bodies, the harmless")
    w("word 垃圾袋 in product questions (bodies tagged `harmless_garbage`: "
      f"{sum(1 for i in infos if 'harmless_garbage' in g.body_by_id[i['body']].tags)} conversations),")
    w("and agents *quoting* a taboo phrase a colleague used (“不知道”, “这是规定”, “快递的问题跟我们无关”) while")
    w("apologising for it — that quoting is not a violation (bodies tagged `quote_taboo`: "
      f"{sum(1 for i in infos if 'quote_taboo' in g.body_by_id[i['body']].tags)} conversations).")
    w("")
    w("## How the generator works")
    w("")
    w(f"The library holds {len(g.bodies)} hand-written conversation bodies (" + ", ".join(
        f"{k}: {v}" for k, v in collections.Counter(b.source.split(':')[0] for b in g.bodies).items())
      + f") and {len(g.tails)} hand-written sour endings. For each")
    w("day (≈5–6 chats, fewer during the 国庆 holiday 10-01…10-07) the script picks the least-used body,")
    w("a shop and channel, a start time (business hours mostly; some 22:00–24:00; a few after-hours), a")
    w("customer (about a fifth are returning customers), and an agent on shift (the night-shift agent")
    w("takes 18:00–24:00 chats; complaints and angry chats lean towards A05/A01; the few bodies whose")
    w("agent lines are bad in themselves go only to A08/A06). The agent's style pool then fills the")
    w("slots — greeting, empathy, confirmation, time commitment, refusal framing, closing — or leaves them")
    w("out at that agent's own rates (the newcomer's rates improve from September to October). A")
    w("taboo-prone agent's chat may turn: after the taboo line the body is cut and a sour ending follows,")
    w("so the customer ends angry and rates low. About half the chats get a bot first (welcome, an")
    w("off-target FAQ answer, the customer asks for 人工, hand-off). Delays come from each agent's")
    w("first-response and reply ranges (A07's are long). CSAT (1–5, on a final `system` row, for about")
    w("half the chats) follows the ending, and drops for SLA breaches, taboo phrases and missing")
    w("greeting+closing. No two conversations have the same text.")
    w("")
    (SAMPLE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


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
        write_messy(g)
    write_readme(g, convs, by_day, args.seed)
    print(f"{len(convs)} conversations, {sum(len(r) for r, _ in convs)} messages, {len(by_day)} nightly files")


if __name__ == "__main__":
    main()
