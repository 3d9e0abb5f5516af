"""The demo: emulate the tutorials' VPC, deliver it in AWS's layouts, ingest, analyze, detect, diagnose, report.

Every step calls the same library functions a user would; the CLI only prints what comes back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import detect
from .analyze import top
from .diagnose import diagnose
from .emulate.engine import simulate
from .errors import VpcFlowError
from .report.html import write_report
from .store import Store

MARKER = ".vpcflow-demo"  # marks a folder the demo made, so a re-run may clear it and nothing else


@dataclass
class DemoResult:
    out: Path
    db: Path
    simulated: int = 0
    cloudwatch_records: int = 0
    ingest: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    top_talkers: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    detector_notes: list = field(default_factory=list)  # detections that ran degraded or could not run
    diagnoses: list[dict] = field(default_factory=list)
    report: Path | None = None
    labels: int = 0


def _fresh(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise VpcFlowError(f"{out} is not empty and was not made by the demo",
                               hint="pass --out with a new or empty folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by `vpcflow demo`; it clears this folder when it runs again\n")


def run_demo(out: str | Path = "vpcflow-demo", *, seed: int = 7, step: Callable[[str], None] = lambda s: None) -> DemoResult:
    out = Path(out)
    _fresh(out)
    result = DemoResult(out=out, db=out / "vpcflow.duckdb")

    step("emulating the seed-demo VPC for a day, delivered as S3 objects and as CloudWatch Logs streams")
    s3 = simulate("seed-demo", out / "s3", seed=seed, destination="s3")
    simulate("seed-demo", out / "cloudwatch", seed=seed, destination="cloudwatch")
    result.simulated, result.labels = s3.records, s3.labels
    shutil.copy(out / "s3" / "labels.jsonl", out / "labels.jsonl")

    step("ingesting the S3 layout into the store")
    with Store(result.db) as store:
        result.ingest = store.ingest(out / "s3").as_dict()
        with Store(":memory:") as check:  # the CloudWatch copy must read back to the same records
            result.cloudwatch_records = check.ingest(out / "cloudwatch").records
        result.stats = store.stats()
        result.top_talkers = top(store, "pair", "bytes", 5).to_pylist()
        result.rejected = top(store, "src", "flows", 5, action="REJECT").to_pylist()

        step("running the detections")
        report = detect.run(store)
        result.findings = [f.as_dict() for f in report.findings]
        result.detector_notes = [s for s in report.statuses if s.status != "ok"]
        step("diagnosing rejected traffic: security group or network ACL?")
        result.diagnoses = [d for d in diagnose(store, topology="seed-demo", flagged=report.findings)
                            if d["verdict"] != "allowed"]
        step("writing the HTML report")
        result.report = out / "report.html"
        write_report(store.con, result.report, store_path=str(result.db), topology="seed-demo")
    return result
