"""The dashboard's Incidents page data: `GET /api/incidents`, findings grouped by the instance they are about
and ranked, the internet's background apart, suppressed findings (`<store>.suppress.yaml`) hidden and counted."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..detect.model import SEVERITIES
from ..detect.suppress import beside
from ..errors import VpcFlowError
from ..jsonable import jsonable as plain
from ..report.incidents import incident_view

router = APIRouter(prefix="/api")


@router.get("/incidents", summary="Findings grouped into incidents per instance, background apart, suppressed counted")
def get_incidents(request: Request, since: str | None = Query(None), until: str | None = Query(None),
                  min_severity: str = Query("low", description="low, medium or high")):
    if min_severity not in SEVERITIES:
        raise VpcFlowError(f"unknown severity {min_severity!r}", hint="use low, medium or high")
    d = request.app.state.dashboard
    window = d.window(since, until)
    rules = beside(d.db_path)
    with d.cursor() as con:
        data = incident_view(con, window, d.review, rules, min_severity)
    data["window"] = window.as_dict()
    return JSONResponse(plain(data))
