#!/usr/bin/env python
"""Provenance only: how lines 2436-2584 of chat_turns.tsv were made.

Hand-written fragments (prefixes, question cores, item names, closings, defects)
combined with a fixed seed. Prints "CODE text" lines (N=neutral, P=positive,
X=negative); they were appended to chat_turns.tsv with exact duplicates dropped.
Do not re-run to extend the data: the rest of the file is written by hand.
"""
# Small programmatic part: hand-written fragments combined (documented in README).
import random
random.seed(20261125)
prefixes = ["亲，", "你好，", "在吗，", "老板，", "请问", "麻烦问下，", "hi，", "您好，", "亲亲，", "店家，", "客服，", "那个，"]
cores = ["这款大衣有没有藏青色", "凉席是竹子的还是藤的", "这个台灯是护眼的吗", "电热毯是双人的吗", "这个拖把能拧干吗",
 "羊毛衫能手洗吗", "登山包容量多少升", "这个童装有没有加绒款", "懒人沙发能拆洗吗", "这个剃须刀能水洗吗",
 "体重秤要装电池吗", "榨汁杯能带出门吗", "暖风机适合卫生间吗", "这个收音机能插卡吗", "儿童手表能打电话吗",
 "挂烫机会不会漏水", "电动牙刷有几个档", "晾衣杆能伸缩吗", "这个鱼缸带过滤吗", "书架要自己拼吗",
 "电动车电池能拆下来充吗", "这个头盔是3C认证的吗", "羽毛球拍穿好线了吗", "泳镜有近视的吗", "登山鞋防水吗",
 "这个蚊帐是拉链的吗", "晴雨伞防晒吗", "床头柜有抽屉吗", "门垫能剪裁吗", "工具箱里有几把螺丝刀",
 "电钻能打混凝土吗", "卷尺是几米的", "这个胶水能粘玻璃吗", "保险柜有钥匙吗", "密码锁要装电池吗",
 "暖手宝充一次电用多久", "这款围裙防油吗", "洗衣液是几斤装", "纸巾一提几包", "这个蒸锅是几层的"]
closing_pos = ["很喜欢，谢谢", "质量很好，好评", "比想象的好", "很满意，谢谢老板", "超出预期了", "好用，推荐",
 "家里人都说好", "做工很细致", "物流也快，满意", "会回购的"]
items = ["台灯", "电热毯", "拖把", "羊毛衫", "登山包", "懒人沙发", "剃须刀", "体重秤", "暖风机", "挂烫机",
 "电动牙刷", "晾衣杆", "鱼缸", "书架", "头盔", "羽毛球拍", "登山鞋", "蚊帐", "床头柜", "工具箱", "电钻",
 "保险柜", "暖手宝", "蒸锅", "儿童手表"]
recv = ["收到了", "到了", "今天到了", "用了几天", "装好了", "试了一下"]
defects = ["是坏的", "有裂缝", "少了配件", "根本用不了", "和图片不一样", "有很大的味道", "做工太粗糙了",
 "用一次就坏了", "颜色发错了", "一股塑料味"]
out = []
for i, c in enumerate(cores):
    for p in random.sample(prefixes, 2):
        out.append(f"N {p}{c}")
for it in items:
    for _ in range(2):
        out.append(f"P {it}{random.choice(recv)}，{random.choice(closing_pos)}")
for it in random.sample(items, 20):
    out.append(f"X {it}{random.choice(recv[:3])}，{random.choice(defects)}")
print("\n".join(out))
