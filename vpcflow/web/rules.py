"""The dashboard's Rules page data: `GET /api/rules`, the rule audit of the window (vpcflow.rules.audit)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..errors import VpcFlowError
from ..jsonable import jsonable as plain
from ..network import load_topology
from ..rules import STATUSES, audit

router = APIRouter(prefix="/api")


class NoConfiguration(VpcFlowError):
    """The dashboard was started without the configuration the audit needs."""

    http_status = 409


@router.get("/rules", summary="Which security-group rules and ACL entries the window's traffic used")
def get_rules(request: Request, since: str | None = Query(None), until: str | None = Query(None)):
    d = request.app.state.dashboard
    if d.topology is None:
        raise NoConfiguration("the dashboard has no network configuration",
                              hint="start it with --topology SCENARIO|FILE")
    model = load_topology(d.topology)
    window = d.window(since, until)
    result = d.cached("rules", window, lambda con: audit(con, model, window.since, window.until))
    return JSONResponse(plain({"rows": result.rows, "notes": result.notes, "statuses": STATUSES,
                               "window": window.as_dict()}))
