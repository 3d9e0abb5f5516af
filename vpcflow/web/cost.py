"""The dashboard's Cost page data: `GET /api/cost`, bytes and USD per path over the window (vpcflow.cost)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..cost import PATHS, cost, cost_rows, prices_for, use_network, what_ifs
from ..cost.attribute import price_row
from ..engines import DuckDBEngine
from ..enrich.ipranges import load_ip_ranges
from ..jsonable import jsonable as plain
from ..network import load_topology

router = APIRouter(prefix="/api")
TOP = 10


def cost_page(con, topology, since, until) -> dict:
    """Everything the page shows, from one cursor: per path, per hour and path, top drivers, what-ifs."""
    engine = DuckDBEngine(con)
    use_network(engine, load_topology(topology) if topology else None, load_ip_ranges())
    prices = prices_for()
    by_path = cost(engine, "path", prices=prices, since=since, until=until)
    hours: dict = {}
    for r in cost_rows(engine, "hour", since=since, until=until):
        if r["billed"]:
            point = hours.setdefault(int(r["key"]), {"t": int(r["key"]), "usd": 0.0})
            point[r["path"]] = point.get(r["path"], 0) + r["bytes"]
            point["usd"] += price_row(r, prices, by_path.internet_usd_per_gb)  # the blend cost() priced at
    return {
        "region": prices.region, "paths": by_path.rows, "notes": by_path.notes(), "usd": by_path.usd,
        "unknown_bytes": by_path.unknown_bytes, "series": [hours[t] for t in sorted(hours)],
        "interfaces": cost(engine, "interface", prices=prices, since=since, until=until).rows[:TOP],
        "pairs": cost(engine, "pair", prices=prices, since=since, until=until).rows[:TOP],
        "what_ifs": what_ifs(engine, prices=prices, since=since, until=until),
        "vocabulary": PATHS,
    }


@router.get("/cost", summary="Bytes and USD per traffic path, top cost drivers and what-ifs over the window")
def get_cost(request: Request, since: str | None = Query(None), until: str | None = Query(None)):
    d = request.app.state.dashboard
    window = d.window(since, until)
    data = d.cached("cost", window, lambda con: cost_page(con, d.topology, window.since, window.until))
    return JSONResponse(plain({**data, "window": window.as_dict()}))
