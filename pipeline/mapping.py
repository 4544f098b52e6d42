"""Column mapping: how a shop's export names the canonical chat-log fields.

Exports from seller consoles (千牛, 京麦, 拼多多商家后台 …) use their own header names
(会话ID, 客服, 买家, 时间, 内容, 发送方). A user declares the mapping once in a small
YAML or TOML file instead of editing code:

```yaml
columns:            # source column -> canonical field
  会话编号: conversation_id
  客服账号: agent_id
  消息内容: text
roles:              # extra role synonyms, on top of the built-in ones
  咨询者: customer
timestamp_format: "%Y/%m/%d %H:%M:%S"   # optional strptime format, tried before ISO-8601
timezone: Asia/Shanghai                 # optional, for naive times (default: settings.timezone)
defaults:           # optional constants for fields the export lacks
  shop: 示例旗舰店
  channel: 淘宝
```

Without a mapping file the common Chinese headers are recognised when the choice is
unambiguous (exactly one header in the file can mean that field).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pipeline import config_yaml

CANONICAL_FIELDS: tuple[str, ...] = (
    "conversation_id",
    "seq",
    "timestamp",
    "role",
    "agent_id",
    "agent_name",
    "customer_id",
    "text",
    "channel",
    "shop",
    "csat",
)
REQUIRED_FIELDS: tuple[str, ...] = ("conversation_id", "timestamp", "role", "text")
ROLES: tuple[str, ...] = ("customer", "agent", "bot", "system")

# Keys are compared after _fold_key (trimmed, lower-cased, no spaces/underscores/hyphens).
DEFAULT_ROLE_SYNONYMS: dict[str, str] = {
    # human agent
    "agent": "agent", "staff": "agent", "客服": "agent", "人工客服": "agent", "人工": "agent",
    "坐席": "agent", "座席": "agent", "售前客服": "agent", "售后客服": "agent", "客服人员": "agent",
    "卖家": "agent", "商家": "agent", "seller": "agent", "service": "agent", "kefu": "agent",
    "小二": "agent", "human": "agent", "humanagent": "agent", "support": "agent",
    # buyer
    "customer": "customer", "buyer": "customer", "user": "customer", "client": "customer",
    "买家": "customer", "顾客": "customer", "客户": "customer", "用户": "customer",
    "消费者": "customer", "会员": "customer", "访客": "customer", "visitor": "customer",
    # auto-reply robot
    "bot": "bot", "robot": "bot", "机器人": "bot", "智能客服": "bot", "自动回复": "bot",
    "机器人客服": "bot", "智能助手": "bot", "autoreply": "bot", "auto": "bot", "ai": "bot",
    "chatbot": "bot", "店小蜜": "bot", "小蜜": "bot",
    # platform events
    "system": "system", "系统": "system", "系统消息": "system", "平台": "system", "sys": "system",
    "event": "system", "notice": "system", "系统通知": "system",
}

# Header names recognised without a mapping file. Compared after _fold_key.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "conversation_id": ("conversationid", "会话id", "会话编号", "会话", "对话id", "对话编号",
                        "sessionid", "session", "chatid", "dialogid", "会话标识"),
    "seq": ("seq", "序号", "消息序号", "sequence", "顺序", "msgseq"),
    "timestamp": ("timestamp", "时间", "发送时间", "消息时间", "时间戳", "time", "datetime",
                  "sendtime", "createdat", "createtime", "日期时间"),
    "role": ("role", "发送方", "发送者类型", "角色", "身份", "发送人类型", "sendertype", "sender", "from"),
    "agent_id": ("agentid", "客服", "客服id", "客服账号", "客服工号", "工号", "坐席", "坐席id", "staffid"),
    "agent_name": ("agentname", "客服昵称", "客服名称", "客服姓名", "坐席名称", "staffname"),
    "customer_id": ("customerid", "买家", "买家id", "买家账号", "买家昵称", "顾客", "顾客id", "客户id",
                    "用户id", "buyerid", "userid", "buyer"),
    "text": ("text", "内容", "消息内容", "聊天内容", "消息", "content", "message", "msg", "body", "文本"),
    "channel": ("channel", "渠道", "平台", "来源", "platform"),
    "shop": ("shop", "店铺", "店铺名称", "店铺名", "shopname", "store"),
    "csat": ("csat", "满意度", "评价", "满意度评分", "评分", "rating", "score"),
}
_ALIAS_TO_FIELD: dict[str, str] = {alias: f for f, aliases in HEADER_ALIASES.items() for alias in aliases}

_TOP_LEVEL_KEYS = ("columns", "roles", "role_synonyms", "timestamp_format", "timezone", "defaults")


def _fold_key(name: object) -> str:
    """Header/role comparison key: trimmed, lower-case, without spaces, '_' or '-'."""
    text = str(name).replace("\ufeff", "").strip().lower()
    for ch in (" ", "_", "-", "\u3000"):
        text = text.replace(ch, "")
    return text


class MappingError(ValueError):
    """A column mapping file is invalid; `errors` lists every problem with where it is."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  - {source} → {e}" for e in errors)
        super().__init__(f"invalid column mapping {source} ({len(errors)} problem(s)):\n{lines}")


@dataclass
class ResolvedColumns:
    """How one file's headers map onto canonical fields."""

    by_source: dict[str, str]  # source header (as in the file) -> canonical field
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # canonical -> candidate headers

    def missing_reason(self, canonical: str, headers: Iterable[str]) -> str:
        """Why a required field has no column, phrased so the user knows what to declare."""
        if canonical in self.ambiguous:
            cands = "', '".join(self.ambiguous[canonical])
            return (f"columns '{cands}' could each be {canonical}; declare which one in a column "
                    f"mapping file (columns: {{<header>: {canonical}}})")
        shown = ", ".join(str(h) for h in list(headers)[:12])
        return (f"is missing: no column or key for {canonical} (present: {shown}); add it, or name the "
                f"column that holds it in a column mapping file (columns: {{<header>: {canonical}}})")


@dataclass
class ColumnMapping:
    columns: dict[str, str] = field(default_factory=dict)  # source header -> canonical field
    role_synonyms: dict[str, str] = field(default_factory=dict)  # extra synonyms (folded key -> role)
    timestamp_format: str | None = None
    timezone: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)  # canonical field -> constant value
    source: str = "<mapping>"

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | Path) -> "ColumnMapping":
        """Read a YAML (.yaml/.yml) or TOML (.toml) mapping file; MappingError lists every problem."""
        path = Path(path)
        where = str(path)
        try:
            config_yaml.check_config_size(path)  # before reading: a mapping is a config file, not a data dump
            raw_bytes = path.read_bytes()
        except config_yaml.ConfigTooLarge as exc:
            raise MappingError(where, [str(exc.problem)]) from None
        except OSError as exc:
            raise MappingError(where, [f"cannot read the file ({exc.strerror or exc}); check the path"]) from None
        try:
            raw_text = raw_bytes.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MappingError(where, ["the file is not UTF-8; save it as UTF-8"]) from None
        try:
            if path.suffix.lower() == ".toml":
                data = tomllib.loads(raw_text)
            else:
                data = config_yaml.safe_load(raw_text)  # safe subset, size cap, alias-expansion budget
        except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
            raise MappingError(where, [f"not valid {'TOML' if path.suffix.lower() == '.toml' else 'YAML'}: {exc}"]) from None
        return cls.from_dict(data if data is not None else {}, source=where)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<mapping>") -> "ColumnMapping":
        errors: list[str] = []
        if not isinstance(data, dict):
            raise MappingError(source, [f"top level must be a mapping with keys {', '.join(_TOP_LEVEL_KEYS)}"])

        # A flat file (just header: field pairs) is accepted as the columns section.
        if data and not any(k in _TOP_LEVEL_KEYS for k in data):
            data = {"columns": data}
        for key in data:
            if key not in _TOP_LEVEL_KEYS:
                errors.append(f"{key}: unknown key (allowed: {', '.join(_TOP_LEVEL_KEYS)})")

        columns: dict[str, str] = {}
        raw_columns = data.get("columns") or {}
        if not isinstance(raw_columns, dict):
            errors.append("columns: must be a mapping of source column -> canonical field")
            raw_columns = {}
        seen_targets: dict[str, str] = {}
        for src, target in raw_columns.items():
            src_s, target_s = str(src).strip(), str(target).strip() if target is not None else ""
            # Accept either direction: 会话ID: conversation_id or conversation_id: 会话ID.
            if target_s not in CANONICAL_FIELDS and src_s in CANONICAL_FIELDS and target_s:
                src_s, target_s = target_s, src_s
            if target_s not in CANONICAL_FIELDS:
                errors.append(f"columns.{src}: '{target}' is not a canonical field (one of {', '.join(CANONICAL_FIELDS)})")
                continue
            if target_s in seen_targets:
                errors.append(f"columns.{src}: {target_s} is already mapped from '{seen_targets[target_s]}'; map each field once")
                continue
            seen_targets[target_s] = src_s
            columns[src_s] = target_s

        roles: dict[str, str] = {}
        raw_roles = data.get("roles") if data.get("roles") is not None else data.get("role_synonyms")
        raw_roles = raw_roles or {}
        if not isinstance(raw_roles, dict):
            errors.append("roles: must be a mapping of role string -> customer/agent/bot/system")
            raw_roles = {}
        for word, role in raw_roles.items():
            # Allow `agent: [坐席A, 值班客服]` as well as `坐席A: agent`.
            if isinstance(role, list) and str(word).strip() in ROLES:
                for w in role:
                    roles[_fold_key(w)] = str(word).strip()
                continue
            role_s = str(role).strip().lower() if role is not None else ""
            if role_s not in ROLES:
                errors.append(f"roles.{word}: '{role}' is not a role (one of {', '.join(ROLES)})")
                continue
            roles[_fold_key(word)] = role_s

        ts_format = data.get("timestamp_format")
        if ts_format is not None:
            if not isinstance(ts_format, str) or "%" not in ts_format:
                errors.append(f"timestamp_format: '{ts_format}' is not a strptime format (e.g. \"%Y/%m/%d %H:%M:%S\")")
                ts_format = None

        tz = data.get("timezone")
        if tz is not None:
            try:
                ZoneInfo(str(tz))
            except (ZoneInfoNotFoundError, ValueError):
                errors.append(f"timezone: '{tz}' is not an IANA time zone (e.g. Asia/Shanghai)")
                tz = None

        defaults: dict[str, Any] = {}
        raw_defaults = data.get("defaults") or {}
        if not isinstance(raw_defaults, dict):
            errors.append("defaults: must be a mapping of canonical field -> value")
            raw_defaults = {}
        for key, value in raw_defaults.items():
            if key not in CANONICAL_FIELDS:
                errors.append(f"defaults.{key}: not a canonical field (one of {', '.join(CANONICAL_FIELDS)})")
            else:
                defaults[key] = value

        if errors:
            raise MappingError(source, errors)
        return cls(columns=columns, role_synonyms=roles, timestamp_format=ts_format,
                   timezone=str(tz) if tz else None, defaults=defaults, source=source)

    @classmethod
    def from_options(cls, columns: Iterable[str] = (), roles: Iterable[str] = (),
                     timestamp_format: str | None = None, timezone: str | None = None,
                     base: "ColumnMapping | None" = None) -> "ColumnMapping":
        """A mapping from CLI options such as `--column 会话编号=conversation_id --role 咨询者=customer`.

        Options override `base` (e.g. a mapping file given alongside them); errors are collected
        and raised together as a MappingError, like a file's.
        """
        errors: list[str] = []

        def pairs(values: Iterable[str], option: str) -> dict[str, str]:
            out: dict[str, str] = {}
            for value in values:
                left, sep, right = str(value).partition("=")
                if not sep or not left.strip() or not right.strip():
                    errors.append(f"{option} '{value}': expected SOURCE=VALUE (e.g. 会话编号=conversation_id)")
                    continue
                out[left.strip()] = right.strip()
            return out

        column_pairs = pairs(columns, "--column")
        role_pairs = pairs(roles, "--role")
        data: dict[str, Any] = {"columns": {}, "roles": {}}
        if base is not None:
            overridden = set(column_pairs.values())
            data["columns"] = {k: v for k, v in base.columns.items() if v not in overridden}
            data["roles"] = dict(base.role_synonyms)
            data["timestamp_format"] = base.timestamp_format
            data["timezone"] = base.timezone
            data["defaults"] = dict(base.defaults)
        data["columns"].update(column_pairs)
        data["roles"].update(role_pairs)
        if timestamp_format is not None:
            data["timestamp_format"] = timestamp_format
        if timezone is not None:
            data["timezone"] = timezone
        data = {k: v for k, v in data.items() if v not in (None, {})}
        try:
            mapping = cls.from_dict(data, source="command-line options")
        except MappingError as exc:
            errors.extend(exc.errors)
            mapping = None
        if errors:
            raise MappingError("command-line options", errors)
        assert mapping is not None
        return mapping

    # ---------------------------------------------------------------- use
    def resolve(self, headers: Iterable[str]) -> ResolvedColumns:
        """Map a file's headers: declared columns, then canonical names, then unambiguous aliases."""
        headers = [h for h in headers if h is not None]
        by_source: dict[str, str] = {}
        claimed: set[str] = set()
        folded_declared = {_fold_key(k): v for k, v in self.columns.items()}
        for h in headers:
            target = self.columns.get(str(h).strip()) or folded_declared.get(_fold_key(h))
            if target and target not in claimed:
                by_source[h] = target
                claimed.add(target)
        for h in headers:
            if h in by_source:
                continue
            key = str(h).replace("\ufeff", "").strip()
            if key in CANONICAL_FIELDS and key not in claimed:
                by_source[h] = key
                claimed.add(key)
        candidates: dict[str, list[str]] = {}
        for h in headers:
            if h in by_source:
                continue
            target = _ALIAS_TO_FIELD.get(_fold_key(h))
            if target and target not in claimed:
                candidates.setdefault(target, []).append(h)
        ambiguous: dict[str, list[str]] = {}
        for target, hs in candidates.items():
            if len(hs) == 1:
                by_source[hs[0]] = target
            else:
                ambiguous[target] = hs
        return ResolvedColumns(by_source=by_source, ambiguous=ambiguous)

    def role_of(self, value: object) -> str | None:
        return normalise_role(value, self.role_synonyms)


def normalise_role(value: object, extra: dict[str, str] | None = None) -> str | None:
    """customer/agent/bot/system for a role string (synonyms, any case, trimmed); None if unknown."""
    if value is None:
        return None
    key = _fold_key(value)
    if not key:
        return None
    if extra and key in extra:
        return extra[key]
    return DEFAULT_ROLE_SYNONYMS.get(key)


DEFAULT_MAPPING = ColumnMapping(source="<built-in header names>")
