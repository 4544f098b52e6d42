"""The reviewer workspace: a FastAPI app with server-rendered pages (Jinja2), plain forms, local assets.

Anonymous requests are sent to /login (the static assets excepted). Every POST carries the form
field `csrf_token`: the session's token, or on /login the token of the pre-login cookie, and is
refused (403) otherwise. Agents see only their own conversations (another's answers 404, so a
guessed id tells nothing); only reviewers, team leads and admins review.

Appeals (申诉, pipeline/store/appeals.py): an agent contests a failed criterion of one of their
own conversations; a team lead or admin upholds (the criterion is corrected to pass) or rejects
it with a reason. Reviewers also relabel a customer turn's sentiment and dismiss or add flags (a
whole-conversation correction of the flags). Every one of these is a new row, never an update.
"""
from __future__ import annotations

import math
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.cards.aggregate import criterion_name, flag_name
from models.base import SENTIMENT_LABELS
from pipeline.corrections import STATUSES
from pipeline.store import Store
from pipeline.store import appeals as appeal_store
from zhijian.review import accounts, queries

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "zj_session"
LOGIN_CSRF_COOKIE = "zj_login_csrf"
MAX_COMMENT = appeal_store.MAX_TEXT  # characters of a comment or a reason (the store's own bound)
LONG_FIELDS = ("comment", "reason")  # free text: up to MAX_COMMENT; an oversized one is a 413
MAX_FIELD = 200  # characters of any other form field
APPEALS_PAGE = 50  # appeals per page of /appeals
PUBLIC = ("/login", "/static/", "/favicon.ico")
REVIEW_ROLES = ("reviewer", "team_lead", "admin")
DECIDE_ROLES = ("team_lead", "admin")  # who upholds or rejects appeals
APPEAL_ROLES = ("agent",)  # who files them: the agent whose conversation it is
STATUS_TEXT = {"pass": "通过", "fail": "不通过", "na": "不适用"}
ROLE_TEXT = {"reviewer": "质检员", "team_lead": "组长", "agent": "客服", "admin": "管理员"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class PageError(Exception):
    """An error page: HTTP status and a Chinese message saying what happened and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def create_app(store: Store) -> FastAPI:
    app = FastAPI(title="质检 Zhijian 复核", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(STATUS_TEXT=STATUS_TEXT, ROLE_TEXT=ROLE_TEXT, STATUSES=STATUSES,
                                 criterion_name=criterion_name, flag_name=flag_name,  # the cards' names
                                 SENTIMENT_LABELS=SENTIMENT_LABELS, SENTIMENT_TEXT=queries.SENTIMENT_TEXT,
                                 DECISION_TEXT=queries.DECISION_TEXT, MAX_COMMENT=MAX_COMMENT)  # fmt: skip
    templates.env.filters["gap_text"] = gap_text
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    engine = store.engine

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"user": getattr(request.state, "user", None),
                                                          "csrf_token": getattr(request.state, "csrf", ""), **context},
                                          status_code=status)  # fmt: skip

    @app.middleware("http")
    async def authenticate(request: Request, call_next: Any) -> Response:
        found = accounts.session_user(engine, request.cookies.get(SESSION_COOKIE))
        request.state.user, request.state.csrf = found if found else (None, "")
        if "\x00" in request.url.path or "%00" in request.url.query:  # no store takes a NUL (PostgreSQL refuses it)
            response: Response = render(request, "error.html", 400, message="请求中有不可见的控制字符（NUL）：请检查链接。")
        elif found is None and not request.url.path.startswith(PUBLIC):
            response = RedirectResponse("/login", status_code=303)
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(PageError)
    async def page_error(request: Request, err: PageError) -> HTMLResponse:
        return render(request, "error.html", err.status, message=err.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> HTMLResponse:
        """Routing's own errors (no such page, wrong method) as the workspace's error page, not JSON."""
        message = {404: "没有这个页面：请检查地址，或回到队列。", 405: "这个地址不接受该请求方法：请从页面上的链接或表单进入。"}
        return render(request, "error.html", err.status_code, message=message.get(err.status_code, "请求无法处理。"))

    @app.get("/favicon.ico")
    def favicon() -> Response:
        # Public and empty: a browser asks for it on every page, the login page too; sent to /login
        # it would be one more login page (and cookie) per visit.
        return Response(status_code=404)

    async def form(request: Request, csrf: str) -> dict[str, str]:
        """The posted form, after the CSRF check; a field too long or repeated is refused."""
        try:
            data = await request.form()
        except Exception:  # not a form body at all
            raise PageError(400, "请求格式不正确：请从页面上的表单提交。") from None
        token = data.get("csrf_token")
        if not csrf or not isinstance(token, str) or not secrets.compare_digest(token, csrf):
            raise PageError(403, "表单已失效（CSRF 校验失败）：请刷新页面后重新提交。")
        out: dict[str, str] = {}
        for key, value in data.multi_items():
            if not isinstance(value, str) or key in out:
                raise PageError(400, f"表单字段 {key} 不正确：请从页面上的表单提交。")
            limit = MAX_COMMENT if key in LONG_FIELDS else MAX_FIELD
            if len(value) > limit:
                raise PageError(413 if key in LONG_FIELDS else 400,
                                f"字段 {key} 过长（{len(value)} 字，最多 {limit} 字）：请缩短后重新提交。")
            out[key] = value
        return out

    # ------------------------------------------------------------------ login
    @app.get("/login")
    def login_page(request: Request) -> HTMLResponse:
        if request.state.user is not None:
            return RedirectResponse("/queue", status_code=303)  # type: ignore[return-value]
        # Keep a token the browser already holds: a browser fetches /favicon.ico, is sent here, and a fresh
        # token then would overwrite the cookie behind the form on screen (every login failed CSRF in Chromium).
        held = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        token = held if re.fullmatch(r"[A-Za-z0-9_-]{43}", held) else secrets.token_urlsafe(32)
        response = render(request, "login.html", login_csrf=token)
        _cookie(request, response, LOGIN_CSRF_COOKIE, token, 3600)
        return response

    @app.post("/login")
    async def login(request: Request) -> Response:
        data = await form(request, request.cookies.get(LOGIN_CSRF_COOKIE, ""))
        username, password = data.get("username", "").strip(), data.get("password", "")
        ip = request.client.host if request.client else "?"
        try:
            user = accounts.authenticate(engine, username, password, ip)
        except accounts.Throttled:
            raise PageError(429, "登录失败次数过多：请 15 分钟后再试，或请管理员确认账号。") from None
        if user is None:
            token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
            return render(request, "login.html", 401, login_csrf=token, error="用户名或密码不正确。", username=username)
        response = RedirectResponse("/queue", status_code=303)
        _cookie(request, response, SESSION_COOKIE, accounts.start_session(engine, user), accounts.SESSION_HOURS * 3600)
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await form(request, request.state.csrf)
        accounts.end_session(engine, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # ------------------------------------------------------------------ queue
    @app.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue")
    def queue_page(request: Request) -> HTMLResponse:
        f = _queue_filter(dict(request.query_params))
        page = queries.queue(store, request.state.user, f)
        params = {k: v for k, v in request.query_params.items() if k != "page" and v != ""}
        link = lambda **kw: "/queue?" + urlencode({**params, **kw})  # noqa: E731
        return render(request, "queue.html", page=page, f=f, params=params, link=link)

    # ------------------------------------------------------------------ conversation
    def visible(request: Request, conversation_id: str) -> dict:
        view = queries.conversation_view(store, conversation_id)
        user: accounts.User = request.state.user
        if view is None or not user.may_see(view["result"]["agent_id"], view["result"]["agents"]):
            raise PageError(404, f"没有找到会话 {conversation_id}：请检查会话编号，或回到队列。")
        return view

    flag_choices: dict[str, dict[str, dict]] = {}  # per rubric version (its snapshot never changes)

    def choices(rubric_version: str) -> dict[str, dict]:
        if rubric_version not in flag_choices:
            flag_choices[rubric_version] = queries.flag_choices(store, rubric_version)
        return flag_choices[rubric_version]

    @app.get("/conversations/{conversation_id}")
    def conversation_page(request: Request, conversation_id: str) -> HTMLResponse:
        view = visible(request, conversation_id)
        role = request.state.user.role
        return render(request, "conversation.html", v=view, r=view["result"], may_review=role in REVIEW_ROLES,
                      may_appeal=role in APPEAL_ROLES, may_decide=role in DECIDE_ROLES,
                      flag_choices=choices(view["result"]["rubric_version"]))  # fmt: skip

    def require(request: Request, roles: tuple[str, ...], message: str) -> accounts.User:
        user: accounts.User = request.state.user
        if user.role not in roles:
            raise PageError(403, message)
        return user

    def reviewer(request: Request) -> accounts.User:
        return require(request, REVIEW_ROLES, "只有质检员、组长和管理员可以复核：如需申诉，请联系组长。")

    @app.post("/conversations/{conversation_id}/review")
    async def review(request: Request, conversation_id: str) -> Response:
        data = await form(request, request.state.csrf)
        view = visible(request, conversation_id)
        user = reviewer(request)
        criterion, status = data.get("criterion", ""), data.get("status", "")
        if criterion not in view["result"]["criteria"]:
            raise PageError(400, f"未知的评分项 {criterion!r}：请从会话页面的表单提交。")
        if status not in STATUSES:
            raise PageError(400, f"结论必须是 {'、'.join(STATUS_TEXT.values())} 之一：请从表单中选择。")
        store.add_correction(conversation_id, reviewer=user.username, criterion=criterion, status=status,
                             comment=data.get("comment", "").strip() or None,
                             rubric_version=view["result"]["rubric_version"])  # fmt: skip
        return RedirectResponse(f"/conversations/{conversation_id}#c-{criterion}", status_code=303)

    @app.post("/conversations/{conversation_id}/turns/{seq}/label")
    async def relabel(request: Request, conversation_id: str, seq: str) -> Response:
        data = await form(request, request.state.csrf)
        view = visible(request, conversation_id)
        user = reviewer(request)
        if _number(seq) not in view["customer_seqs"]:
            raise PageError(404, f"会话 {conversation_id} 没有第 {seq[:20]} 条客户消息：只能标注客户消息的情感。")
        label = data.get("label", "")
        if label not in SENTIMENT_LABELS:
            raise PageError(400, f"情感标签必须是 {'、'.join(queries.SENTIMENT_TEXT.values())} 之一：请从表单中选择。")
        appeal_store.add_turn_label(store.engine, conversation_id, _number(seq), label=label, reviewer=user.username,
                                    comment=data.get("comment"))  # fmt: skip
        return RedirectResponse(f"/conversations/{conversation_id}#m-{seq}", status_code=303)

    @app.post("/conversations/{conversation_id}/flags/dismiss")
    async def dismiss_flag(request: Request, conversation_id: str) -> Response:
        data = await form(request, request.state.csrf)
        view = visible(request, conversation_id)
        user = reviewer(request)
        flags, index, code = view["result"]["flags"], data.get("index", ""), data.get("code", "")
        at = _number(index)
        if at is None or at >= len(flags) or flags[at].get("code") != code:
            raise PageError(409, f"标记 {code[:50]!r} 已不在该会话上（可能已被他人撤销）：请刷新页面后再操作。")
        kept = [fl for i, fl in enumerate(flags) if i != at]
        comment = data.get("comment", "").strip()
        store.add_correction(conversation_id, reviewer=user.username, flags=kept,
                             comment=f"撤销误报标记 {flag_name(code)}" + (f"：{comment}" if comment else ""),
                             rubric_version=view["result"]["rubric_version"])  # fmt: skip
        return RedirectResponse(f"/conversations/{conversation_id}#flags", status_code=303)

    @app.post("/conversations/{conversation_id}/flags/add")
    async def add_flag(request: Request, conversation_id: str) -> Response:
        data = await form(request, request.state.csrf)
        view = visible(request, conversation_id)
        user = reviewer(request)
        known = choices(view["result"]["rubric_version"])
        code, reason = data.get("code", ""), data.get("reason", "").strip()
        if code not in known:
            raise PageError(400, f"未知的标记 {code[:50]!r}：请从表单中选择评分规则里的标记。")
        if not reason:
            raise PageError(400, "请填写补充标记的原因。")
        flags = view["result"]["flags"]
        if any(fl.get("code") == code for fl in flags):
            raise PageError(409, f"该会话已有标记“{flag_name(code)}”：无需重复添加。")
        added = {"code": code, "reason": reason, "seq": None, "red_line": known[code]["red_line"]}
        store.add_correction(conversation_id, reviewer=user.username, flags=[*flags, added],
                             comment=f"补充漏标 {code}：{reason}", rubric_version=view["result"]["rubric_version"])  # fmt: skip
        return RedirectResponse(f"/conversations/{conversation_id}#flags", status_code=303)

    # ------------------------------------------------------------------ appeals
    @app.post("/conversations/{conversation_id}/appeals")
    async def file_appeal(request: Request, conversation_id: str) -> Response:
        data = await form(request, request.state.csrf)
        view = visible(request, conversation_id)
        user = require(request, APPEAL_ROLES, "只有客服本人可以对自己的会话申诉：质检员请直接复核更正。")
        criterion, comment = data.get("criterion", ""), data.get("comment", "").strip()
        criteria = view["result"]["criteria"]
        if criterion not in criteria:
            raise PageError(400, f"未知的评分项 {criterion[:50]!r}：请从会话页面的申诉表单中选择。")
        if criterion in view["open_appeal_criteria"]:
            raise PageError(409, f"评分项“{criterion_name(criterion)}”已有待处理的申诉：请等待组长处理。")
        if criterion not in view["appealable"]:
            raise PageError(400, f"评分项“{criterion_name(criterion)}”没有被判为不通过：只能对不通过的评分项申诉。")
        if not comment:
            raise PageError(400, "请填写申诉理由：说明为什么这一项应当通过。")
        try:
            appeal_id = appeal_store.file_appeal(
                store.engine, conversation_id, rubric_version=view["result"]["rubric_version"], criterion=criterion,
                agent_id=user.agent_id or "", filed_by=user.username, comment=comment)  # fmt: skip
        except ValueError as err:  # an appeal filed a moment ago from another tab
            raise PageError(409, f"申诉未提交：{err}") from None
        return RedirectResponse(f"/conversations/{conversation_id}#a-{appeal_id}", status_code=303)

    def visible_appeal(request: Request, appeal_id: str) -> dict:
        number = _number(appeal_id)
        appeal = appeal_store.get_appeal(store.engine, number) if number is not None else None
        user: accounts.User = request.state.user
        if appeal is None or not (user.sees_all or appeal["agent_id"] == user.agent_id):
            raise PageError(404, f"没有找到申诉 {appeal_id[:20]}：请检查申诉编号，或回到申诉列表。")
        return appeal

    @app.get("/appeals")
    def appeals_page(request: Request) -> HTMLResponse:
        user: accounts.User = request.state.user
        status = request.query_params.get("status", "all").strip() or "all"
        if status not in ("all", *appeal_store.APPEAL_STATUSES):
            raise PageError(400, f"筛选条件 status={status[:50]!r} 不正确：应为 all/{'/'.join(appeal_store.APPEAL_STATUSES)} 之一。")
        page = _page_param(request.query_params.get("page", ""))
        where = {"status": None if status == "all" else status, "agent_id": None if user.sees_all else user.agent_id or ""}
        total = appeal_store.count_appeals(store.engine, **where)
        pages = max(1, -(-total // APPEALS_PAGE))
        page = min(page, pages)
        rows = appeal_store.list_appeals(store.engine, **where, limit=APPEALS_PAGE, offset=(page - 1) * APPEALS_PAGE)
        link = lambda p: "/appeals?" + urlencode({"status": status, "page": p})  # noqa: E731
        return render(request, "appeals.html", appeals=rows, total=total, page=page, pages=pages, link=link,
                      status_filter=status, may_decide=user.role in DECIDE_ROLES)  # fmt: skip

    @app.get("/appeals/{appeal_id}")
    def appeal_page(request: Request, appeal_id: str) -> RedirectResponse:
        appeal = visible_appeal(request, appeal_id)
        return RedirectResponse(f"/conversations/{appeal['conversation_id']}#a-{appeal['id']}", status_code=303)

    @app.post("/appeals/{appeal_id}/decide")
    async def decide(request: Request, appeal_id: str) -> Response:
        data = await form(request, request.state.csrf)
        appeal = visible_appeal(request, appeal_id)
        user = require(request, DECIDE_ROLES, "只有组长和管理员可以处理申诉。")
        decision, reason = data.get("decision", ""), data.get("reason", "").strip()
        if decision not in appeal_store.DECISIONS:
            raise PageError(400, "处理结果必须是“成立”或“驳回”：请从表单中选择。")
        if not reason:
            raise PageError(400, "请填写处理理由：客服会看到它。")
        if appeal["status"] != "open":
            raise PageError(409, f"申诉 #{appeal['id']} 已由 {appeal['decided_by']} 处理"
                                 f"（{queries.DECISION_TEXT[appeal['status']]}）：无需再次处理。")
        try:
            appeal_store.decide_appeal(store, appeal["id"], decision=decision, reason=reason, decided_by=user.username)
        except ValueError as err:  # decided by another lead a moment ago, or the result is gone
            raise PageError(409, f"申诉未处理：{err}") from None
        return RedirectResponse(f"/appeals#a-{appeal['id']}", status_code=303)

    from zhijian.review.agreement import register as register_trust  # /calibration, /agreement (trust)
    register_trust(app, store, render, form, PageError)
    return app


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")  # fmt: skip


def score(text: str) -> float:
    """A score bound: a finite number (nan and inf compare with nothing)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _number(text: str) -> int | None:
    """An id, sequence number or index from a path or form: ASCII digits of sane size, else None.
    (str.isdigit also takes '²', which int() refuses, and a 30-digit id overflows the database's integer.)"""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def _page_param(text: str) -> int:
    """A page number: 1 when absent; a 400 when not a positive integer of sane size."""
    text = text.strip()
    if not text:
        return 1
    if _number(text) is None or int(text) < 1:
        raise PageError(400, f"页码 page={text[:50]!r} 不正确：应为正整数。")
    return int(text)


def gap_text(seconds: float) -> str:
    """A response gap as a person reads it: +45 秒, +3 分 05 秒, +2 小时 10 分."""
    s = int(seconds)
    if s < 60:
        return f"+{s} 秒"
    if s < 3600:
        return f"+{s // 60} 分 {s % 60:02d} 秒"
    return f"+{s // 3600} 小时 {s % 3600 // 60} 分"


def _queue_filter(q: dict[str, str]) -> queries.QueueFilter:
    """The queue's query parameters; a malformed one is a 400 that names it."""
    q = {k: v.strip() for k, v in q.items() if v.strip()}

    def parse(key: str, convert: Any, what: str) -> Any:
        if key not in q:
            return None
        try:
            return convert(q[key])
        except ValueError:
            raise PageError(400, f"筛选条件 {key}={q[key][:50]!r} 不正确：应为{what}。") from None

    f = queries.QueueFilter(
        start=parse("from", queries.filter_day, "日期（如 2026-10-01）"),
        end=parse("to", queries.filter_day, "日期（如 2026-10-31）"),
        agent=q.get("agent"), flag=q.get("flag"),
        min_score=parse("min", score, "0 到 100 的数字"), max_score=parse("max", score, "0 到 100 的数字"),
        page=_page_param(q.get("page", "")),
    )  # fmt: skip
    for key, allowed, attr in (("reviewed", ("all", "yes", "no"), "reviewed"), ("sort", tuple(queries.SORTS), "sort"),
                               ("appealed", queries.APPEALED, "appealed")):  # fmt: skip
        if key in q:
            if q[key] not in allowed:
                raise PageError(400, f"筛选条件 {key}={q[key][:50]!r} 不正确：应为 {'/'.join(allowed)} 之一。")
            setattr(f, attr, q[key])
    if q.get("order", "desc") not in ("asc", "desc"):
        raise PageError(400, "排序方向 order 应为 asc 或 desc。")
    f.desc = q.get("order", "desc") == "desc"
    return f


__all__ = ["create_app"]
