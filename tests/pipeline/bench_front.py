"""Front-of-pipeline throughput: ingest+mask → assemble → normalise → segment on N messages.

Usage: taskset -c 0,1 .venv/bin/python tests/pipeline/bench_front.py 100000
(BENCH_UNIQUE=0 repeats 15 template texts, as quick replies do; the default makes ~half the texts unique.)
Not collected by pytest; ingest/test_read_inputs.py::test_front_throughput is the CI-sized check.
"""
import json, os, random, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
random.seed(7)
texts = ["在吗", "亲，您好，很高兴为您服务", "我的快递怎么还没到啊，都三天了", "订单号：123456789012345678 麻烦查一下",
         "我的手机是13812345678，收货地址：浙江省杭州市西湖区文三路100号5栋2单元301室", "<p>亲&nbsp;在的</p>[微笑]",
         "這個產品質量問題，請幫我退貨", "型号ＡＢＣ－１２３，买了２件，ＯＫ？", "好的谢谢", "非常抱歉给您带来不便，帮您申请补发",
         "支持七天无理由退货的亲，运费险会赔付运费", "价保怎么申请？差价能退吗", "垃圾客服，什么都不知道", "请问还有其他可以帮您的吗 #E-s21",
         "收件人张伟，电话139 0000 1111，邮箱zhang.san@example.com"]
UNIQUE = os.environ.get("BENCH_UNIQUE", "1") == "1"
vocab = ["衣服", "尺码", "偏大", "颜色", "发货", "快递", "物流", "退款", "什么时候", "可以", "吗", "呢", "谢谢", "麻烦", "帮我", "看看",
         "质量", "不好", "很好", "一般", "客服", "亲", "今天", "明天", "3天", "已经", "还没", "收到", "破损", "漏发", "补发", "差价"]
path = Path(tempfile.gettempdir()) / f"zhijian_bench_{N}_{int(UNIQUE)}.jsonl"
if not path.exists():
    with path.open("w", encoding="utf-8") as f:
        for i in range(N):
            conv = i // 10
            role = "customer" if i % 2 == 0 else "agent"
            row = {"conversation_id": f"c{conv}", "timestamp": f"2026-10-03T{(i//3600)%24:02d}:{(i//60)%60:02d}:{i%60:02d}+08:00",
                   "role": role, "text": (random.choice(texts) + "".join(random.sample(vocab, random.randint(0, 4)))) if UNIQUE else random.choice(texts)}
            if role == "agent":
                row["agent_id"] = f"A{conv % 40}"
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
from pipeline.ingest import read_inputs, assemble
from pipeline.normalise import normalise_conversation, fold_table
from pipeline.segment import segment_conversation, get_tokenizer
t0 = time.perf_counter(); get_tokenizer(); fold_table(); t_load = time.perf_counter() - t0
t0 = time.perf_counter(); r = read_inputs([path]); t1 = time.perf_counter()
convs = assemble(r.messages); t2 = time.perf_counter()
for c in convs: normalise_conversation(c)
t3 = time.perf_counter()
for c in convs: segment_conversation(c)
t4 = time.perf_counter()
print(f"N={N} read={r.read} stored={len(r.messages)} dup={r.duplicates} quarantined={len(r.quarantined)} conversations={len(convs)}")
print(f"load jieba+tables {t_load:.2f}s | ingest+mask {t1-t0:.2f}s | assemble {t2-t1:.2f}s | normalise {t3-t2:.2f}s | segment {t4-t3:.2f}s | total {t4-t0:.2f}s")
