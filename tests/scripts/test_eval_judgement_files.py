"""scripts/eval_judgement_files.py: the shipped kind / decline models and their criteria on another writer's file."""
from scripts.eval_judgement_files import eval_declines, eval_kinds, main


def _write(tmp_path, name, header, rows):
    p = tmp_path / name
    p.write_text("\t".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return str(p)


def test_kinds_file_read_three_ways(tmp_path):
    path = _write(tmp_path, "k.tsv", ["customer_messages", "after_sales", "kind", "note"], [
        ["收到的杯子碎了一个 || [图片] || 怎么处理", "yes", "after_sales", "broken on arrival"],
        ["这款杯子能进洗碗机吗", "no", "pre_sale", "question before buying"],
    ])
    out = eval_kinds(path)
    assert out["n"] == 2 and out["after_sales"] == 1
    for key in ("rule alone", "kind model alone (0.5)", "rubric as shipped"):
        assert out[key].endswith("/2)")
    # the errors named are exactly the rows the shipped rubric got wrong
    assert sum(out["shipped errors"].values()) == 2 - int(out["rubric as shipped"].split("(")[1].split("/")[0])


def test_declines_file_and_cli(tmp_path, capsys):
    path = _write(tmp_path, "d.tsv", ["customer", "agent", "label", "note"], [
        ["能再便宜点吗", "这已经是最低价了哦亲", "declines", "lowest price, nothing offered"],
        ["能再便宜点吗", "价格改不了，不过可以送您一个收纳袋", "declines_with_alternative", "gift instead"],
        ["什么时候发货", "今天下午就给您发出", "not_declining", "informs"],
    ])
    out = eval_declines(path)
    assert out["n"] == 3 and out["labels"] == {"declines": 1, "declines_with_alternative": 1, "not_declining": 1}
    assert out["criterion as shipped"].endswith("/3)") and "/" in out["declining P / R"]
    assert main(["declines", path]) == 0
    assert "criterion, model off" in capsys.readouterr().out
