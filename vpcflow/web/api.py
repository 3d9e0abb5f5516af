"""The JSON API under /api/: every page reads only these, and FastAPI documents them at /api/openapi.json."""

from __future__ import annotations

import time
from typing import Literal

import duckdb
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from ..errors import QueryError
from ..jsonable import jsonable as plain
from ..jsonable import rows_of
from ..report import findings as findings_mod
from ..report.overview import graph, overview
from ..report.streams import interfaces, stream
from ..timeutil import epoch, iso
from .query import run, to_csv
from .state import Dashboard

router = APIRouter(prefix="/api")
SINCE = Query(None, description="From: ISO-8601, a date, Unix seconds, or a span (24h) back from the last record.")
UNTIL = Query(None, description="Up to: the same forms as since.")


class QueryBody(BaseModel):
    sql: str
    since: str | None = None
    until: str | None = None


class StatusBody(BaseModel):
    status: Literal["new", "reviewed", "dismissed"]


def _dash(request: Request) -> Dashboard:
    return request.app.state.dashboard


def _json(data) -> JSONResponse:
    return JSONResponse(plain(data))


@router.get("/summary", summary="What the store holds and the time range it covers")
def summary(request: Request):
    d = _dash(request)
    d.refresh()
    b = d.bounds
    return _json({"path": d.db_path, "records": b["records"], "first": iso(b["first"]), "last": iso(b["last"]),
                  "row_limit": d.row_limit, "byte_limit": d.byte_limit, "time_limit": d.time_limit})


@router.get("/live", summary="What changed: the data's version, each followed source's lag, alarm states")
def get_live(request: Request):
    d = _dash(request)
    version = d.refresh()
    b = d.bounds
    status = d.live.status() if d.live is not None else {"holder": False, "sources": []}
    return _json({**status, "version": "-".join(str(v) for v in version), "records": b["records"],
                  "last": iso(b["last"]), "now": iso(int(time.time()))})


@router.get("/overview", summary="Traffic over time, top talkers, top rejected sources, protocol and port mix")
def get_overview(request: Request, since: str | None = SINCE, until: str | None = UNTIL, n: int = Query(10, ge=1, le=100)):
    d = _dash(request)
    window = d.window(since, until)
    return _json(d.cached("overview", window, lambda con: overview(con, window, d.bounds, n), n))


@router.get("/interfaces", summary="Network interfaces with their record counts in the range")
def get_interfaces(request: Request, since: str | None = SINCE, until: str | None = UNTIL):
    d = _dash(request)
    window = d.window(since, until)
    return _json({"window": window.as_dict(), "interfaces": d.cached("interfaces", window, lambda con: interfaces(con, window))})


@router.get("/stream", summary="An interface's records as its log lines, filtered by a CloudWatch filter pattern")
def get_stream(request: Request, interface_id: str = Query(..., description="The network interface, as in the records."),
               since: str | None = SINCE, until: str | None = UNTIL,
               filter: str = Query("", description="A CloudWatch filter pattern; plain text if it does not parse."),
               limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)):
    d = _dash(request)
    window = d.window(since, until)
    with d.cursor() as con:
        try:
            return _json(stream(con, interface_id, window, filter, limit, offset))
        except duckdb.InvalidInputException as exc:  # a regular expression Python reads but DuckDB's RE2 does not
            raise QueryError(f"the filter's regular expression: {str(exc).splitlines()[0]}", location="filter",
                             hint="RE2 syntax: repetition counts up to 1000, no \\Z") from exc


@router.get("/findings", summary="The detections' findings in the range, most severe first")
def get_findings(request: Request, since: str | None = SINCE, until: str | None = UNTIL):
    d = _dash(request)
    window = d.window(since, until)
    with d.cursor() as con:
        data = findings_mod.findings(con, window, d.review)
    data["window"] = window.as_dict()
    return _json(data)


@router.get("/findings/{finding_id}", summary="One finding and its evidence records")
def get_finding(request: Request, finding_id: str):
    d = _dash(request)
    with d.cursor() as con:
        return _json(findings_mod.finding(con, finding_id, d.review))


@router.post("/findings/{finding_id}/status", summary="Dismiss a finding, mark it reviewed, or make it new again")
def set_status(request: Request, finding_id: str, body: StatusBody = Body(...)):
    d = _dash(request)
    with d.cursor() as con:
        findings_mod.finding(con, finding_id)  # 404 for an unknown id
    return _json({"id": finding_id, **d.review.set(finding_id, body.status)})


@router.get("/diagnoses", summary="Security group or network ACL verdicts for rejected traffic, by service")
def get_diagnoses(request: Request, since: str | None = SINCE, until: str | None = UNTIL):
    d = _dash(request)
    window = d.window(since, until)
    data = d.cached("diagnoses", window, lambda con: findings_mod.diagnoses(con, window, d.topology))
    return _json({**data, "window": window.as_dict()})


@router.get("/graph", summary="Who talks to whom: the heaviest edges, accepted and rejected")
def get_graph(request: Request, since: str | None = SINCE, until: str | None = UNTIL, n: int = Query(60, ge=1, le=500)):
    d = _dash(request)
    window = d.window(since, until)
    return _json(d.cached("graph", window, lambda con: graph(con, window, n), n))


@router.post("/query", summary="Run one read-only SQL statement (row, byte and time limits apply)")
def post_query(request: Request, body: QueryBody):
    d = _dash(request)
    result = _run(d, body.sql, d.window(body.since, body.until))
    return _json({"columns": result.table.column_names, "rows": rows_of(result.table),
                  "truncated": result.truncated, "truncated_by": result.truncated_by, "row_limit": d.row_limit,
                  "byte_limit": d.byte_limit, "seconds": round(result.seconds, 4)})


@router.get("/query.csv", summary="The same query's result as a CSV download")
def get_query_csv(request: Request, sql: str = Query(..., description="One read-only SQL statement."),
                  since: str | None = SINCE, until: str | None = UNTIL):
    d = _dash(request)
    result = _run(d, sql, d.window(since, until))
    return Response(to_csv(result.table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="vpcflow-query.csv"'})


def _run(d: Dashboard, sql: str, window):
    with d.cursor() as con:
        return run(con, sql, row_limit=d.row_limit, time_limit=d.time_limit, byte_limit=d.byte_limit,
                   since=epoch(window.since), until=epoch(window.until))
