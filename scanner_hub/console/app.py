"""The district console's web pages, mounted by the hub's app under /console/.

Server-rendered (Jinja2), no third-party script, charts as SVG. Every request past the login
page needs a session cookie (Secure, HttpOnly, SameSite=Strict, `__Host-` prefixed: served
over the hub's TLS only); every form carries the session's CSRF token, compared in constant
time; every page, download and action is written to the audit table. What a user sees is
decided by `queries.Scope`, applied in each SQL query.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from scanner_app.core.policy import CHECKPOINT_TYPES
from scanner_hub.console import auth, charts, queries, reports
from scanner_hub.console.i18n import LANGUAGES, translate
from scanner_hub.console.queries import COLOURS, DECISIONS, Scope
from scanner_hub.service import Hub

HERE = Path(__file__).parent
SESSION_COOKIE = "__Host-console-session"
LOGIN_COOKIE = "__Host-console-login"
LANG_COOKIE = "console_lang"
CHECKPOINT = r"^[A-Za-z0-9._-]{1,128}$"
DEVICE = r"^[A-Za-z0-9._-]{3,64}$"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send `Origin: null` on forms
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class NeedLogin(Exception):
    pass


class Refused(Exception):
    """A request the console refuses; the refusal handler audits it unless the route has
    already written a more precise audit row (`audited`)."""

    def __init__(self, status: int, key: str, *, audited: bool = False) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.audited = audited


def create_console(hub: Hub) -> FastAPI:  # noqa: PLR0915 (the routes, one closure)
    console = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    console.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    engine = hub.engine
    queries.seed_wards(engine)
    zone = hub.config.day_zone

    def address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def language(request: Request) -> str:
        chosen = request.cookies.get(LANG_COOKIE, "vi")
        return chosen if chosen in LANGUAGES else "vi"

    def current(request: Request) -> auth.Session:
        found = auth.session(engine, request.cookies.get(SESSION_COOKIE), hub.now())
        if found is None:
            raise NeedLogin
        return found

    def scope_of(session: auth.Session, ward: str | None = None) -> Scope:
        """The user's scope; a city user may narrow it to one ward; a ward user asking for
        another ward is refused (403), and so is a ward the wards table does not list (400):
        a ward id reaches file names and report text, so only a listed id goes further."""
        user = session.user
        if ward and ward not in queries.ward_names(engine):
            raise Refused(400, "bad_request")
        if user.is_city:
            return Scope(ward or None)
        if ward and ward != user.ward_id:
            raise Refused(403, "forbidden")
        return Scope(user.ward_id)

    def audit(
        request: Request, session: auth.Session | None, action: str, target: object, outcome: str = "ok"
    ) -> None:
        auth.write_audit(
            engine,
            hub.now(),
            session.user.name if session else None,
            address(request),
            action,
            target,
            outcome,
        )

    def check_csrf(request: Request, session: auth.Session, token: str) -> None:
        origin = request.headers.get("origin")
        same_origin = origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"
        if not (same_origin and token and secrets.compare_digest(token.encode(), session.csrf.encode())):
            audit(request, session, "csrf", request.url.path, "refused")
            raise Refused(403, "csrf_refused", audited=True)

    def render(
        request: Request, name: str, session: auth.Session | None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = language(request)
        names = queries.ward_names(engine)
        response = templates.TemplateResponse(
            request,
            name,
            {
                "t": lambda key, **v: translate(lang, key, **v),
                "lang": lang,
                "other_lang": "en" if lang == "vi" else "vi",
                "session": session,
                "user": session.user if session else None,
                "csrf": session.csrf if session else "",
                "ward_name": lambda w: names.get(w, w) if w else translate(lang, "no_ward"),
                "decisions": DECISIONS,
                "colours": COLOURS,
                "fmt_time": lambda m: _fmt_time(m, zone),
                "fmt_iso": lambda text: _fmt_time(_parse_iso(text), zone),
                "fmt_age": _fmt_age,
                "quote": lambda v: quote(str(v), safe=""),
                **context,
            },
            status_code=status,
        )
        return response

    @console.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @console.exception_handler(NeedLogin)
    async def need_login(request: Request, _: NeedLogin) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    def audit_refusal(request: Request, error: Refused) -> None:
        if error.audited:
            return
        found = auth.session(engine, request.cookies.get(SESSION_COOKIE), hub.now())
        target = {"path": request.url.path, "query": str(request.url.query)[:500], "status": error.status}
        audit(request, found, "refused", target, error.key)

    @console.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> Response:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(audit_refusal, request, error)
        return render(request, "error.html", None, status=error.status, message=error.key)

    # -- session ---------------------------------------------------------------------------

    @console.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/console/today", status_code=303)

    @console.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        response = render(
            request,
            "login.html",
            None,
            login_csrf=token,
            problem=None,
            insecure=request.url.scheme != "https",
        )
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, secure=True, samesite="strict", path="/")
        return response

    @console.post("/login", response_class=HTMLResponse)
    def login(
        request: Request,
        name: str = Form("", max_length=64),
        password: str = Form("", max_length=1024),
        csrf: str = Form("", max_length=100),
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not (csrf and expected and secrets.compare_digest(csrf.encode(), expected.encode())):
            audit(request, None, "csrf", "/login", "refused")
            raise Refused(403, "csrf_refused", audited=True)
        lang = language(request)
        try:
            result = auth.login(engine, name, password, address(request), hub.now())
        except auth.LoginBusy:
            response = render(
                request,
                "login.html",
                None,
                status=429,
                login_csrf=expected,
                problem=translate(lang, "login_busy"),
            )
            response.headers["Retry-After"] = "2"
            return response
        except auth.LoginLocked as locked:
            response = render(
                request,
                "login.html",
                None,
                status=429,
                login_csrf=expected,
                problem=translate(lang, "locked", seconds=locked.wait_seconds),
            )
            response.headers["Retry-After"] = str(locked.wait_seconds)
            return response
        if result is None:
            return render(
                request,
                "login.html",
                None,
                status=401,
                login_csrf=expected,
                problem=translate(lang, "wrong_login"),
            )
        token, _ = result
        response = RedirectResponse("/console/today", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            secure=True,
            samesite="strict",
            path="/",
            max_age=auth.SESSION_HOURS * 3600,
        )
        response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    @console.post("/logout")
    def logout(request: Request, csrf: str = Form("", max_length=100)) -> Response:
        session = current(request)
        check_csrf(request, session, csrf)
        auth.logout(engine, request.cookies.get(SESSION_COOKIE))
        audit(request, session, "logout", None)
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    @console.get("/lang/{code}")
    def set_language(code: str, back: str = "/console/today") -> Response:
        if code not in LANGUAGES:
            raise Refused(404, "not_found")
        target = (
            back
            if re.fullmatch(r"/console/[A-Za-z0-9/._?=&%-]*", back) and "//" not in back
            else "/console/today"
        )
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(LANG_COOKIE, code, secure=True, samesite="strict", path="/", max_age=365 * 86400)
        return response

    # -- pages -----------------------------------------------------------------------------

    def local_today() -> date:
        return hub.now().astimezone(zone).date()

    def parse_day(text: str | None) -> date:
        if not text:
            return local_today()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Refused(400, "bad_request") from None

    @console.get("/today", response_class=HTMLResponse)
    def today(request: Request) -> Response:
        session = current(request)
        scope = scope_of(session)
        day, now = local_today(), hub.now()
        by_ward = queries.counts_by_ward_day(engine, scope, day, day)
        wards = [(w["ward_id"], w["name"]) for w in queries.ward_list(engine, scope)]
        if scope.ward is None and any(w == queries.NO_WARD for w, _ in by_ward):
            wards.append((queries.NO_WARD, translate(language(request), "no_ward")))
        ward_counts = [(w, name, by_ward.get((w, day), queries.Counts())) for w, name in wards]
        total = reports._sum(c for _, _, c in ward_counts)
        rows = queries.device_rows(engine, scope, now, zone)
        per_checkpoint = queries.counts_by_checkpoint(engine, scope, day)
        audit(request, session, "view", "/today")
        return render(
            request,
            "today.html",
            session,
            page="today",
            day=day,
            ward_counts=ward_counts,
            total=total,
            rows=rows,
            per_checkpoint=per_checkpoint,
            now=now,
        )

    @console.get("/checkpoints/{checkpoint_id}", response_class=HTMLResponse)
    def checkpoint(request: Request, checkpoint_id: str, day: str | None = None) -> Response:
        session = current(request)
        scope = scope_of(session)
        found = queries.checkpoint_in_scope(engine, scope, checkpoint_id)
        if found is None:
            audit(request, session, "view", f"/checkpoints/{checkpoint_id}", "refused")
            exists = queries.checkpoint_in_scope(engine, queries.CITY, checkpoint_id) is not None
            raise Refused(
                403 if exists or not session.user.is_city else 404,
                "forbidden" if exists else "not_found",
                audited=True,
            )
        chosen = parse_day(day)
        hours = queries.hourly(engine, scope, checkpoint_id, chosen)
        lang = language(request)
        chart = charts.stacked_bars(
            [f"{h}" for h in range(24)],
            [(d, translate(lang, d), [hours[h].decisions.get(d, 0) for h in range(24)]) for d in DECISIONS],
        )
        audit(request, session, "view", f"/checkpoints/{checkpoint_id}")
        return render(
            request,
            "checkpoint.html",
            session,
            page="today",
            checkpoint=found,
            day=chosen,
            chart=chart,
            total=reports._sum(hours.values()),
            hours=hours,
            flags=queries.flags(engine, scope, chosen, chosen, checkpoint=checkpoint_id),
            devices=queries.device_rows(engine, scope, hub.now(), zone, checkpoint=checkpoint_id),
            previous=chosen - timedelta(days=1),
            next=chosen + timedelta(days=1),
        )

    @console.post("/devices/{device_id}/revoke")
    def revoke(
        request: Request,
        device_id: str,
        csrf: str = Form("", max_length=100),
        reason: str = Form("", max_length=200),
        back: str = Form("/console/devices", max_length=300),
    ) -> Response:
        session = current(request)
        check_csrf(request, session, csrf)
        if not re.fullmatch(DEVICE, device_id):
            raise Refused(400, "bad_request")
        text = reason.strip() or f"revoked in the console by {session.user.name}"
        done = queries.revoke(engine, scope_of(session), device_id, text, hub.now())
        audit(request, session, "revoke", {"device": device_id, "reason": text}, "ok" if done else "refused")
        if not done:
            raise Refused(403, "forbidden", audited=True)
        target = back if re.fullmatch(r"/console/[A-Za-z0-9/._-]*", back) else "/console/devices"
        return RedirectResponse(target, status_code=303)

    def week_scope(session: auth.Session, ward: str | None) -> Scope:
        return scope_of(session, ward or None)

    def week_monday(week: str | None) -> date:
        if not week:
            today_ = local_today()
            return today_ - timedelta(days=today_.weekday())
        try:
            return reports.parse_week(week)
        except ValueError:
            raise Refused(400, "bad_request") from None

    @console.get("/week", response_class=HTMLResponse)
    def week(request: Request, week: str | None = None, ward: str | None = None) -> Response:
        session = current(request)
        scope = week_scope(session, ward)
        monday = week_monday(week)
        lang = language(request)
        report = reports.week_report(engine, scope, monday, lang)
        chart = charts.stacked_bars(
            [f"{d:%d/%m}" for d in report.days],
            [
                (k, translate(lang, k), [report.day_total(d).decisions.get(k, 0) for d in report.days])
                for k in DECISIONS
            ],
        )
        audit(request, session, "view", f"/week?week={report.week}&ward={scope.ward or ''}")
        return render(
            request,
            "week.html",
            session,
            page="week",
            report=report,
            chart=chart,
            day_rows=[(d, report.day_total(d)) for d in report.days],
            matrix=[
                (
                    w,
                    name,
                    [report.cells.get((w, d), queries.Counts()).checks for d in report.days],
                    report.ward_total(w),
                )
                for w, name in report.wards
            ]
            if scope.ward is None
            else [],
            ward=scope.ward or "",
            wards=queries.ward_list(engine, scope_of(session)),
            previous=reports.week_name(monday - timedelta(days=7)),
            next=reports.week_name(monday + timedelta(days=7)),
            period=reports.title(report, lang, queries.ward_names(engine))[1],
        )

    @console.get("/week/{week}.{kind}")
    def week_download(request: Request, week: str, kind: str, ward: str | None = None) -> Response:
        session = current(request)
        if kind not in ("xlsx", "pdf"):
            raise Refused(404, "not_found")
        scope = week_scope(session, ward)
        monday = week_monday(week)
        lang = language(request)
        report = reports.week_report(engine, scope, monday, lang)
        names = queries.ward_names(engine)
        # the file on disk has a fixed name in a fresh private folder, removed before answering;
        # the name the browser sees is built from the parsed week and a listed ward id only
        with tempfile.TemporaryDirectory(prefix="console-") as folder:
            out = Path(folder) / f"report.{kind}"
            if kind == "xlsx":
                reports.write_xlsx(report, out, lang, names)
                media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            else:
                reports.write_pdf(report, out, lang, names, hub.now().astimezone(zone))
                media = "application/pdf"
            content = out.read_bytes()
        audit(request, session, "download", {"week": report.week, "ward": scope.ward, "format": kind})
        listed = scope.ward and re.fullmatch(r"[A-Za-z0-9_-]{1,32}", scope.ward)
        ward_part = f"-{scope.ward}" if listed else ""
        name = f"bao-cao-tuan-{reports.week_name(monday)}{ward_part}.{kind}"
        return Response(
            content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @console.get("/flags", response_class=HTMLResponse)
    def flags_page(request: Request, day: str | None = None) -> Response:
        session = current(request)
        scope = scope_of(session)
        last = parse_day(day)
        first = last - timedelta(days=6)
        audit(request, session, "view", "/flags")
        return render(
            request,
            "flags.html",
            session,
            page="flags",
            first=first,
            last=last,
            flags=queries.flags(engine, scope, first, last),
            shared=queries.shared_by_checkpoint(engine, scope, first, last),
        )

    @console.get("/devices", response_class=HTMLResponse)
    def devices_page(request: Request) -> Response:
        session = current(request)
        audit(request, session, "view", "/devices")
        return devices_view(request, session)

    def devices_view(request: Request, session: auth.Session, status: int = 200, **made: Any) -> Response:
        scope = scope_of(session)
        return render(
            request,
            "devices.html",
            session,
            status=status,
            page="devices",
            rows=queries.device_rows(engine, scope, hub.now(), zone),
            wards=queries.ward_list(engine, scope),
            types=CHECKPOINT_TYPES,
            **made,
        )

    @console.post("/devices/codes", response_class=HTMLResponse)
    def new_code(
        request: Request,
        csrf: str = Form("", max_length=100),
        checkpoint_id: str = Form("", max_length=128),
        checkpoint_type: str = Form("road", max_length=16),
        ward: str = Form("", max_length=32),
    ) -> Response:
        session = current(request)
        check_csrf(request, session, csrf)
        if not re.fullmatch(CHECKPOINT, checkpoint_id) or checkpoint_type not in CHECKPOINT_TYPES:
            raise Refused(400, "bad_request")
        scope = scope_of(session, ward or None)
        chosen = scope.ward or ward
        if not chosen:
            raise Refused(400, "bad_request")
        # a code puts its checkpoint in the chosen ward: a ward user may make one for a new
        # checkpoint or one already in its ward, never for one with no ward (enrolled from the
        # command line) or another ward's; moving a checkpoint is the city's, audited as such
        existing = queries.checkpoint_in_scope(engine, queries.CITY, checkpoint_id)
        moved_from = existing["ward_id"] if existing is not None and existing["ward_id"] != chosen else None
        if moved_from is not None and not session.user.is_city:
            audit(request, session, "enroll_code", {"checkpoint": checkpoint_id, "ward": chosen}, "refused")
            raise Refused(403, "forbidden", audited=True)
        try:
            code = hub.new_enrollment(checkpoint_id, checkpoint_type, ward=chosen)
        except ValueError:
            raise Refused(400, "bad_request") from None
        if moved_from is not None:
            audit(
                request,
                session,
                "reassign_ward",
                {"checkpoint": checkpoint_id, "from": moved_from or None, "to": chosen},
            )
        audit(request, session, "enroll_code", {"checkpoint": checkpoint_id, "ward": chosen})
        link = hub.enrollment_link(code)
        qr = None
        if link is not None:
            import segno
            from markupsafe import Markup

            qr = Markup(segno.make(str(link), error="m").svg_inline(scale=4, dark="#000", light="#fff"))
        return devices_view(request, session, made_code=str(code), made_checkpoint=checkpoint_id, qr=qr)

    @console.get("/trust", response_class=HTMLResponse)
    def trust(request: Request, published: int | None = None) -> Response:
        session = current(request)
        audit(request, session, "view", "/trust")
        return trust_view(request, session, published=published)

    def trust_view(request: Request, session: auth.Session, status: int = 200, **extra: Any) -> Response:
        scope = scope_of(session)
        return render(
            request,
            "trust.html",
            session,
            status=status,
            page="trust",
            latest=queries.latest_bundle(engine),
            history=queries.bundle_history(engine),
            usage=queries.bundle_usage(engine, scope),
            **extra,
        )

    @console.post("/trust/publish", response_class=HTMLResponse)
    async def publish(
        request: Request,
        csrf: str = Form("", max_length=100),
        bundle: UploadFile = File(...),  # noqa: B008
    ) -> Response:
        from starlette.concurrency import run_in_threadpool

        session = await run_in_threadpool(current, request)
        await run_in_threadpool(check_csrf, request, session, csrf)
        if not session.user.is_city:
            await run_in_threadpool(audit, request, session, "publish", None, "refused")
            raise Refused(403, "forbidden", audited=True)
        data = await bundle.read(4 * 1024 * 1024 + 1)
        try:
            if len(data) > 4 * 1024 * 1024:
                raise ValueError("larger than 4 MiB")
            sequence = await run_in_threadpool(_publish, hub, data)
        except Exception as exc:  # a refused bundle: say why, publish nothing
            problem = str(exc)[:300]
            await run_in_threadpool(audit, request, session, "publish", problem, "refused")
            return await run_in_threadpool(lambda: trust_view(request, session, status=422, problem=problem))
        await run_in_threadpool(audit, request, session, "publish", {"sequence": sequence})
        return RedirectResponse(f"/console/trust?published={sequence}", status_code=303)

    return console


def _publish(hub: Hub, data: bytes) -> int:
    from scanner_app.core.bundle import Anchor
    from scanner_app.local.bundle_store import app_anchors

    key = hub.keys.anchor_key(None)
    anchors = [*app_anchors(), *([Anchor("hub", key.public_key(), demo=False)] if key is not None else [])]
    return hub.publish(data, anchors)


def _fmt_time(moment: datetime | None, zone: Any) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%d/%m %H:%M")


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _fmt_age(age: timedelta | None) -> str:
    if age is None:
        return "—"
    hours = age.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"
