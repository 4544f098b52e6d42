"""Column mappings: YAML/TOML files, built-in Chinese headers, role synonyms, clear errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.mapping import CANONICAL_FIELDS, ColumnMapping, MappingError, normalise_role

MESSY = Path(__file__).resolve().parent.parent / "fixtures" / "messy"


@pytest.mark.parametrize("name", ["qianniu_mapping.yaml", "qianniu_mapping.toml"])
def test_load_yaml_and_toml(name):
    m = ColumnMapping.load(MESSY / name)
    assert m.columns["会话编号"] == "conversation_id"
    assert m.columns["客服账号"] == "agent_id"
    assert m.timestamp_format == "%Y/%m/%d %H:%M:%S"
    assert m.role_of("咨询者") == "customer" and m.role_of("值班客服") == "agent"
    assert m.role_of("买家") == "customer"  # built-in synonyms still apply


def test_yaml_extras():
    m = ColumnMapping.load(MESSY / "qianniu_mapping.yaml")
    assert m.timezone == "Asia/Shanghai" and m.defaults == {"channel": "淘宝"}


def test_all_errors_reported_at_once_with_locations():
    with pytest.raises(MappingError) as info:
        ColumnMapping.load(MESSY / "bad_mapping.yaml")
    err = info.value
    text = str(err)
    assert len(err.errors) == 5, err.errors
    assert "bad_mapping.yaml → columns.会话编号: 'conversation' is not a canonical field" in text
    assert "columns.发送人: role is already mapped from '发送者'" in text
    assert "roles.咨询者: 'buyer' is not a role" in text
    assert "timezone: 'Mars/Olympus' is not an IANA time zone" in text
    assert "colums: unknown key" in text


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(MappingError, match="cannot read the file"):
        ColumnMapping.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: [unclosed", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid YAML"):
        ColumnMapping.load(bad)
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("columns = {", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid TOML"):
        ColumnMapping.load(bad_toml)
    fmt = tmp_path / "fmt.yaml"
    fmt.write_text("timestamp_format: yyyy-mm-dd\n", encoding="utf-8")
    with pytest.raises(MappingError, match="not a strptime format"):
        ColumnMapping.load(fmt)


def test_flat_and_reversed_mappings(tmp_path):
    flat = tmp_path / "flat.yaml"
    flat.write_text("会话编号: conversation_id\ntext: 消息内容\n", encoding="utf-8")
    m = ColumnMapping.load(flat)
    assert m.columns == {"会话编号": "conversation_id", "消息内容": "text"}


def test_role_list_form():
    m = ColumnMapping.from_dict({"roles": {"agent": ["值班A", "值班B"]}})
    assert m.role_of("值班A") == "agent" and m.role_of(" 值班b ") is None or m.role_of("值班B") == "agent"


@pytest.mark.parametrize("value,role", [
    ("客服", "agent"), ("人工客服", "agent"), ("坐席", "agent"), ("Agent", "agent"), (" STAFF ", "agent"),
    ("买家", "customer"), ("顾客", "customer"), ("客户", "customer"), ("用户", "customer"), ("Buyer", "customer"),
    ("customer", "customer"), ("机器人", "bot"), ("智能客服", "bot"), ("自动回复", "bot"), ("ROBOT", "bot"),
    ("系统", "system"), ("System", "system"), ("快递员", None), ("", None), (None, None),
])
def test_role_synonyms(value, role):
    assert normalise_role(value) == role


def test_auto_recognises_chinese_headers():
    resolved = ColumnMapping().resolve(["会话ID", "时间", "内容", "发送方", "客服", "买家", "备注"])
    assert resolved.by_source == {"会话ID": "conversation_id", "时间": "timestamp", "内容": "text",
                                  "发送方": "role", "客服": "agent_id", "买家": "customer_id"}
    assert not resolved.ambiguous


def test_ambiguous_headers_are_reported_not_guessed():
    resolved = ColumnMapping().resolve(["会话ID", "时间", "发送时间", "内容", "发送方"])
    assert "timestamp" not in resolved.by_source.values()
    assert resolved.ambiguous == {"timestamp": ["时间", "发送时间"]}
    assert "declare which one" in resolved.missing_reason("timestamp", ["会话ID", "时间", "发送时间"])


def test_declared_and_canonical_columns_win_over_aliases():
    m = ColumnMapping.from_dict({"columns": {"发送时间": "timestamp"}})
    resolved = m.resolve(["会话ID", "时间", "发送时间", "text", "role"])
    assert resolved.by_source["发送时间"] == "timestamp" and "时间" not in resolved.by_source
    assert resolved.by_source["text"] == "text"


def test_canonical_fields_cover_the_spec():
    assert set(CANONICAL_FIELDS) == {"conversation_id", "seq", "timestamp", "role", "agent_id", "agent_name",
                                     "customer_id", "text", "channel", "shop", "csat"}


def test_from_command_line_options():
    m = ColumnMapping.from_options(columns=["会话编号=conversation_id", "消息内容 = text"], roles=["咨询者=customer"],
                                   timestamp_format="%Y/%m/%d %H:%M:%S", timezone="Asia/Shanghai")
    assert m.columns == {"会话编号": "conversation_id", "消息内容": "text"}
    assert m.role_of("咨询者") == "customer" and m.timezone == "Asia/Shanghai"


def test_command_line_options_override_a_file():
    base = ColumnMapping.load(MESSY / "qianniu_mapping.yaml")
    m = ColumnMapping.from_options(columns=["买家ID=customer_id"], base=base)
    assert m.columns["买家ID"] == "customer_id" and "买家昵称" not in m.columns
    assert m.columns["会话编号"] == "conversation_id" and m.defaults == {"channel": "淘宝"}


def test_command_line_option_errors_are_collected():
    with pytest.raises(MappingError) as info:
        ColumnMapping.from_options(columns=["会话编号", "内容=txt"], roles=["x=robot"], timezone="Nowhere/City")
    text = str(info.value)
    assert "--column '会话编号': expected SOURCE=VALUE" in text
    assert "'txt' is not a canonical field" in text and "'robot' is not a role" in text
    assert "'Nowhere/City' is not an IANA time zone" in text
