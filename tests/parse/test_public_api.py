"""The public API is deliberate (each package's exact, sorted __all__), and the docs generated from the field
table and the detection registry are current (VPCFLOW_UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import vpcflow
from vpcflow.detect.docs import detections_markdown
from vpcflow.fields.docs import markdown

from ..support import assert_golden

ROOT = Path(__file__).resolve().parents[2]

# Every package that declares __all__, and exactly what it publishes. A deliberate change to the public API
# changes this table in the same commit.
PUBLIC = {
    "vpcflow": ["DEFAULT", "FIELDS", "IngestResult", "LogFormat", "SourceRecords", "Store", "VpcFlowError",
                "__version__", "read", "top"],
    "vpcflow.alert": ["Pattern", "PatternError", "SqlFilter", "compile_predicate", "compile_sql", "matches", "parse"],
    "vpcflow.analyze": ["KEYS", "METRICS", "top"],
    "vpcflow.athena": ["FILE_FORMATS", "LAYOUTS", "AthenaError", "TableSpec", "athena_sql", "create_table",
                       "results", "run"],
    "vpcflow.aws": ["AwsError", "AwsSession", "AwsSettings"],
    "vpcflow.aws.sandbox": ["SANDBOX_TAG", "DownResult", "Inventory", "Item", "SandboxPlan", "SandboxResult",
                            "SandboxSpec", "SandboxStatus", "TrafficRun", "down", "inventory", "plan_up",
                            "resolve_ssh_from", "status", "traffic", "up"],
    "vpcflow.cost": ["BY", "DESTINATIONS", "PATHS", "PRICES", "CostResult", "Prices", "cost", "cost_rows",
                     "flow_log_bill", "keep", "network_tables", "prices_for", "save_flow_paths_view", "span_days", "topology_rows", "use_network",
                     "volume", "what_ifs"],
    "vpcflow.deliver": ["CLOUDWATCH", "FIREHOSE", "S3", "WRITERS", "FlowLog", "Writer", "register", "writer_for"],
    "vpcflow.detect": ["DetectReport", "Detection", "DetectorStatus", "Finding", "Param", "detections",
                       "ensure_tables", "evidence", "get", "load_threat_list", "register", "run", "set_status"],
    "vpcflow.diagnose": ["VERDICTS", "diagnose"],
    "vpcflow.emulate": ["Emulation", "Scenario", "ScenarioError", "SimulationSummary", "builtin_names",
                        "load_scenario", "simulate"],
    "vpcflow.engines": ["ENGINES", "DuckDBEngine", "NamedQuery", "Relation", "SideTable", "SparkInput",
                        "TranspileError", "Transpiled", "as_engine", "get", "materialized", "register", "registry",
                        "relation", "run_query", "run_sql", "side_table", "spark_engine", "transpile"],
    "vpcflow.enrich": ["aws_service", "geo_available", "load_aws_interfaces", "load_ip_ranges",
                       "load_topology_interfaces", "lookup_geo", "refresh"],
    "vpcflow.fields": ["BY_COLUMN", "BY_NAME", "DEFAULT", "FIELDS", "INT_32", "INT_64", "PRESETS", "STRING",
                       "TGW_DEFAULT", "Field", "LogFormat", "field"],
    "vpcflow.interop.insights": ["DEFAULT_LIMIT", "InsightsError", "run", "translate"],
    "vpcflow.lab": ["DEFAULT_STATE_DIR", "Lab", "LabError", "builtin_names", "can_run", "down", "load", "run", "up"],
    "vpcflow.live": ["HolderServer", "Live"],
    "vpcflow.network": ["Evaluator", "Interface", "NetworkAcl", "PrefixList", "Rule", "Rules", "ScenarioError",
                        "SecurityGroup", "Subnet", "Topology", "build_topology", "described_topology",
                        "load_topology", "named_topology"],
    "vpcflow.report": ["report_data", "write_report"],
    "vpcflow.rules": ["CHANGE_FORMATS", "COLUMNS", "DEFAULTS", "STATUSES", "USAGE", "Audit", "ProposalError", "audit",
                      "check", "encryption", "judge", "load_proposal", "proposed_topology", "render", "suggest",
                      "traffic"],
    "vpcflow.store": ["DEFAULT_PATH", "IngestResult", "SourceResult", "Store"],
    "vpcflow.web": ["create_app"],
}


def isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions and the rest (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names_are_exactly_the_published_ones(package):
    assert list(importlib.import_module(package).__all__) == PUBLIC[package]


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names_are_sorted_and_importable(package):
    module = importlib.import_module(package)
    assert PUBLIC[package] == sorted(PUBLIC[package], key=isort_order)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []


def test_top_level_names_are_sorted_plainly():
    assert vpcflow.__all__ == sorted(vpcflow.__all__)


def test_every_package_that_declares_all_is_published_here():
    declaring = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "vpcflow").rglob("__init__.py")
                 if "__all__" in p.read_text()}
    assert declaring == set(PUBLIC), "add the package's exact __all__ to PUBLIC in tests/parse/test_public_api.py"


def test_docs_fields_md_is_generated_from_the_field_table():
    assert_golden(ROOT / "docs" / "fields.md", markdown())


def test_docs_detections_md_is_generated_from_the_detection_registry():
    assert_golden(ROOT / "docs" / "detections.md", detections_markdown())
