"""The report's Cost section: bytes and USD per path over the window, the top interfaces, and the what-ifs."""

from __future__ import annotations

from ..cost import cost, use_network, what_ifs
from ..engines import DuckDBEngine
from ..enrich.ipranges import load_ip_ranges
from ..network import load_topology
from .overview import Window

BAR_WIDTH = 20  # characters of the widest USD bar
TOP = 10


def cost_section(con, window: Window, topology=None) -> dict:
    """{message, notes, paths: [{path, bytes, usd, records, bar}], interfaces, what_ifs}."""
    engine = DuckDBEngine(con)
    use_network(engine, load_topology(topology) if topology else None, load_ip_ranges())
    by_path = cost(engine, "path", since=window.since, until=window.until)
    most = max((r["usd"] for r in by_path.rows), default=0) or 1
    paths = [r | {"bar": "▇" * round(BAR_WIDTH * r["usd"] / most)} for r in by_path.rows]
    billed = sum(r["bytes"] for r in by_path.rows)
    message = (f"{billed:,} bytes billed once, ${by_path.usd:,.2f} at {by_path.prices.region} list prices "
               "over the window (docs/cost.md).")
    if topology is None:
        message += " Write the report with --topology to place what the records cannot."
    return {"message": message, "notes": by_path.notes(), "paths": paths,
            "interfaces": cost(engine, "interface", since=window.since, until=window.until).rows[:TOP],
            "what_ifs": what_ifs(engine, since=window.since, until=window.until)}
