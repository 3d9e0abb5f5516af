"""`vpcflow demo`: the main job, end to end, on the embedded store."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.text import Text

from ..demo import run_demo
from .output import console, emit, emit_object


def demo(
    out: Annotated[str, typer.Option("--out", help="Folder for everything the demo writes (cleared on re-run).")] = "vpcflow-demo",
    seed: Annotated[int, typer.Option("--seed", help="Emulator seed: the same seed gives the same data.")] = 7,
) -> None:
    """Emulate a VPC with real-looking traffic and attacks, deliver it, ingest it, detect, diagnose and report."""
    started = time.perf_counter()
    r = run_demo(out, seed=seed, step=lambda s: console.print(f"[bold cyan]>[/bold cyan] {s}"))
    console.print()
    emit_object({"records written": r.simulated, "records ingested": r.ingest["records"],
                 "quarantined": r.ingest["quarantined"], "sources": r.ingest["sources"],
                 "CloudWatch layout reads back": f"{r.cloudwatch_records} records",
                 "time range": f"{r.stats['first_start']} .. {r.stats['last_end']}",
                 "interfaces": r.stats["interfaces"], "accepted": r.stats["accepted"],
                 "rejected": r.stats["rejected"], "labelled events": r.labels}, "table", title="what the store holds")
    emit(r.top_talkers, "table", title="top talkers (bytes)")
    emit(r.rejected, "table", title="rejected traffic by source")
    if r.findings is not None:
        emit([{k: f.get(k) for k in ("detector", "severity", "src", "dst", "dst_port", "records", "summary")}
              for f in r.findings], "table", title="findings")
    for note in r.detector_notes:
        console.print(Text.assemble((note.detector, "yellow"), f": {note.status}: {note.note}"), highlight=False)
    if r.diagnoses is not None:
        emit(_grouped(r.diagnoses), "table", title="security group or network ACL? (vpcflow diagnose for every port and fix)")
    console.print(f"\nstore:   {r.db}\nlabels:  {r.out / 'labels.jsonl'}\nS3 layout: {r.out / 's3'}\n"
                  f"CloudWatch layout: {r.out / 'cloudwatch'}", markup=False, highlight=False)
    if r.report:
        console.print(f"report:  {r.report}", markup=False, highlight=False)
    # the default format's columns only: `SELECT *` would draw every field AWS has, mostly empty here
    console.print(f"\nnext: vpcflow query \"SELECT interface_id, srcaddr, dstaddr, dstport, action, bytes FROM flows "
                  f"LIMIT 5\" --db {r.db}\ndone in {time.perf_counter() - started:.1f} s", markup=False, highlight=False,
                  soft_wrap=True)


def _grouped(diagnoses: list[dict]) -> list[dict]:
    """One row per source, target, verdict and rule: a scan's thousand ports are one line here."""
    groups: dict[tuple, dict] = {}
    for d in diagnoses:
        key = (d["src"], d["dst"], d["direction"], d["verdict"], d["rule"])
        g = groups.setdefault(key, {"src": d["src"], "dst": d["dst"], "ports": set(), "direction": d["direction"],
                                    "verdict": d["verdict"], "rule": d["rule"], "records": 0})
        g["ports"].update(range(d["dst_port"], d["dst_port_end"] + 1) if d["dst_port"] is not None else ())
        g["records"] += d["records"]
    for g in groups.values():
        ports = sorted(p for p in g["ports"] if p is not None)
        g["ports"] = (", ".join(map(str, ports)) if len(ports) <= 3 else f"{len(ports)} ports") or "-"
    return sorted(groups.values(), key=lambda g: -g["records"])


def register(app: typer.Typer) -> None:
    app.command()(demo)
