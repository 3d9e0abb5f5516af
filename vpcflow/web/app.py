"""The dashboard: FastAPI pages and JSON API over a store opened read-only, bound to 127.0.0.1 unless told.

Only loopback Host names and those in `allowed_hosts` are served, token or not: a DNS-rebinding page names its own
host, so it is refused even when it guessed or stole the token. With a token, every request must also carry it (an
`Authorization: Bearer` header or the `vpcflow_token` cookie; a page's `?token=` sets the cookie, an API call's is
not accepted, so a token never sits in an API URL). An empty token is refused: it would let anyone in.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..errors import VpcFlowError
from .api import router
from .cost import router as cost_router
from .incidents import router as incidents_router
from .query import BYTE_LIMIT, ROW_LIMIT, TIME_LIMIT
from .rules import router as rules_router
from .state import Dashboard

HERE = Path(__file__).parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
COOKIE = "vpcflow_token"
# The pages, in the order of the navigation bar: path, template, title.
PAGES = (
    ("/", "overview.html", "Overview"),
    ("/interfaces", "interfaces.html", "Interfaces"),
    ("/findings", "findings.html", "Findings"),
    ("/incidents", "incidents.html", "Incidents"),
    ("/diagnose", "diagnose.html", "Diagnose"),
    ("/rules", "rules.html", "Rules"),
    ("/cost", "cost.html", "Cost"),
    ("/graph", "graph.html", "Graph"),
    ("/query", "query.html", "Query"),
)
# Scripts and styles come only from the package; nothing is fetched from elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)


def create_app(db_path: str | Path, token: str | None = None, *, row_limit: int = ROW_LIMIT,
               time_limit: float = TIME_LIMIT, byte_limit: int = BYTE_LIMIT, topology=None, reader=None,
               live=None, allowed_hosts: Iterable[str] = ()) -> FastAPI:
    """The dashboard app over one store file (opened read-only). Give `token` whenever it listens beyond loopback;
    `topology` (an emulator scenario name or file) lets the diagnose page name the rule and the fix.
    In the process holding the store, `reader` gives its snapshot cursors and `live` (vpcflow.live.Live) says
    what it follows; pages then update by themselves. `allowed_hosts` are the Host names it is reached by besides
    loopback ones (a listening address other than loopback, a DNS name)."""
    if token is not None and not token:
        raise VpcFlowError("an empty token would let every request in",
                           hint="give a token, or none to serve loopback Host names only")
    served = LOOPBACK_HOSTS | {h.lower().strip("[]") for h in allowed_hosts}
    dashboard = Dashboard(str(db_path), row_limit=row_limit, time_limit=time_limit, byte_limit=byte_limit,
                          topology=topology, reader=reader, live=live)
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        dashboard.close()

    app = FastAPI(title="vpcflow dashboard", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  openapi_url="/api/openapi.json",
                  description="Read-only views of a vpcflow store: traffic, interfaces, findings, diagnoses, SQL.")
    app.state.dashboard = dashboard
    app.include_router(router)
    app.include_router(rules_router)
    app.include_router(cost_router)
    app.include_router(incidents_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = (request.url.hostname or "").lower()
        if host not in served:
            return JSONResponse({"error": f"host {host!r} is not served", "hint": "reached by another name? add "
                                 "--allow-host NAME (VPCFLOW_ALLOW_HOST, or allow_host in vpcflow.toml's [serve])"},
                                status_code=400)
        set_cookie = False
        if token is not None:
            in_url = None if request.url.path.startswith("/api/") else request.query_params.get("token")
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
                or request.cookies.get(COOKIE) or in_url or ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"error": "a token is required", "hint": "open the URL `vpcflow serve` printed, "
                                     "or send Authorization: Bearer TOKEN"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            set_cookie = in_url is not None
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if set_cookie:
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.exception_handler(VpcFlowError)
    async def vpcflow_error(request: Request, exc: VpcFlowError):
        return JSONResponse({"error": str(exc), "message": exc.message, "location": exc.location, "hint": exc.hint},
                            status_code=exc.http_status)

    for path, template, title in PAGES:
        app.add_api_route(path, _page(template, title), methods=["GET"], response_class=HTMLResponse,
                          include_in_schema=False)
    app.add_api_route("/findings/{finding_id}", _page("finding.html", "Finding"), methods=["GET"],
                      response_class=HTMLResponse, include_in_schema=False)
    return app


def _page(template: str, title: str):
    def page(request: Request) -> HTMLResponse:
        html = templates.get_template(template).render(
            title=title, pages=PAGES, path=request.url.path, params=request.query_params,
            path_params=request.path_params)
        return HTMLResponse(html)
    page.__name__ = f"page_{template.removesuffix('.html')}"
    return page
