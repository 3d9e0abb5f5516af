"""The VPC emulator: a topology and a scenario in, the flow logs AWS would write (and ground-truth labels) out."""

from ..network.topology import ScenarioError
from .engine import Emulation, SimulationSummary, simulate
from .scenario import Scenario, builtin_names, load_scenario

__all__ = ["Emulation", "Scenario", "ScenarioError", "SimulationSummary", "builtin_names", "load_scenario",
           "simulate"]
