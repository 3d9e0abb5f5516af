"""The one network model: VPCs, subnets, interfaces, security groups and network ACLs with their rules, read from
an emulator topology or from the account, and the one evaluator that decides a packet against them."""

from .build import build_topology
from .evaluator import Evaluator, Rules
from .load import described_topology, load_topology, named_topology
from .topology import (
    Interface,
    NetworkAcl,
    PrefixList,
    Rule,
    ScenarioError,
    SecurityGroup,
    Subnet,
    Topology,
)

__all__ = ["Evaluator", "Interface", "NetworkAcl", "PrefixList", "Rule", "Rules", "ScenarioError", "SecurityGroup", "Subnet",
           "Topology", "build_topology", "described_topology", "load_topology", "named_topology"]
