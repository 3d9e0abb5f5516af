"""`lab run`: bring a scenario's lab up, start an agent per interface, send the traffic, deliver, take it down."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from . import firewall, network
from .agent import AgentConfig
from .netns import DEFAULT_STATE_DIR, LabError, sh, teardown
from .scenario import load, run_steps
from .spool import deliver

PAGE_BYTES = 16_000  # the web servers' page: several packets each way


def counters(lab: network.Lab) -> dict[str, dict]:
    """The nftables counters of each interface's namespace: an independent count of its packets and bytes."""
    found = {}
    for iface in lab.topology.interfaces:
        done = sh("nft", "-j", "list", "counters", netns=lab.namespaces[iface.name])
        totals = {}
        for item in json.loads(done.stdout)["nftables"]:
            c = item.get("counter")
            if c:
                totals[c["name"]] = {"packets": c["packets"], "bytes": c["bytes"]}
        found[iface.name] = totals
    return found


def start_agents(lab: network.Lab, workdir: Path, window: float, count_only: bool = False,
                 only: list[str] | None = None) -> tuple[list[subprocess.Popen], list[Path]]:
    """One capture agent per interface, its windows aligned to multiples of `window`; waits until all listen."""
    origin = math.floor(time.time() / window) * window
    procs, spools = [], []
    for iface in lab.topology.interfaces:
        if only and iface.name not in only:
            continue
        spool = workdir / f"{iface.index:03d}-{iface.name}.jsonl"
        config = AgentConfig(lab.namespaces[iface.name], lab.router, iface.index, firewall.nflog_group(iface),
                             window, origin, str(spool), count_only=count_only)
        path = spool.with_suffix(".config.json")
        path.write_text(json.dumps(asdict(config)))
        procs.append(subprocess.Popen([sys.executable, "-m", "vpcflow.lab", "agent", str(path)]))
        spools.append(spool)
    deadline = time.monotonic() + 15
    for proc, spool in zip(procs, spools, strict=True):
        ready = Path(str(spool) + ".ready")
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise LabError(f"the capture agent for {spool.stem} did not start",
                               hint="run it by hand: python -m vpcflow.lab agent " + str(spool.with_suffix(".config.json")))
            time.sleep(0.02)
    return procs, spools


def stop_agents(procs: list[subprocess.Popen], spools: list[Path]) -> list[dict]:
    """SIGTERM (the agents flush their last window), then their statistics."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
    stats = []
    for spool in spools:
        path = Path(str(spool) + ".stats.json")
        stats.append(json.loads(path.read_text()) if path.exists() else {})
    return stats


def run(scenario, out: Path, *, window: float = 5.0, flow_log: dict | None = None,
        state_dir: Path = DEFAULT_STATE_DIR, keep: bool = False) -> dict:
    """Run a lab scenario on real packets and write its flow logs under `out` in the chosen layout."""
    sc = load(scenario)
    if window <= 0 or window > 600:
        raise LabError(f"capture window {window:g} s is out of range", hint="use 1 to 600 seconds (AWS: 60 or 600)")
    lab = network.up(sc.topology, Path(state_dir))
    workdir = Path(state_dir) / f"{lab.lab_id}.run"
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        webroot = workdir / "www"
        webroot.mkdir()
        (webroot / "index.html").write_text("<html>" + "vpcflow lab " * (PAGE_BYTES // 12) + "</html>\n")
        procs, spools = start_agents(lab, workdir, window)
        try:
            steps = run_steps(lab, sc.steps, webroot)
            time.sleep(0.5)  # the last replies and logged drops reach the agents
            counted = counters(lab)
        finally:
            stats = stop_agents(procs, spools)
        delivered = deliver(spools, lab.topology, Path(out), flow_log)
        interfaces = []
        for iface, agent in zip(lab.topology.interfaces, stats, strict=True):
            interfaces.append({"name": iface.name, "interface_id": iface.id, "ip": iface.ip, **{
                f"agent_{k}": v for k, v in agent.items()}, "counted": counted.get(iface.name, {})})
        return {"lab": lab.lab_id, "scenario": sc.name, "window": window, "out": str(out), **delivered,
                "steps": steps, "interfaces": interfaces}
    finally:
        if not keep:
            teardown(lab.state)
            shutil.rmtree(workdir, ignore_errors=True)
