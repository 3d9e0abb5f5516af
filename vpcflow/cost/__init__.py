"""Where the bytes go and what they cost: a path for every record, data-transfer USD per group, what-ifs, and
the flow logs' own bill. `keep(store)` keeps per-leg sums in the store that `cost` then reads. Importing this package registers its named queries (`cost-{by}`, `flow-log-volume`)
and the `flow_paths` relation (the `vpcflow.analyses` entry point `cost`).
"""

from .attribute import CostResult, cost, cost_rows, span_days, what_ifs
from .bill import DESTINATIONS, flow_log_bill, volume
from .kept import keep
from .network import network_tables, save_flow_paths_view, topology_rows, use_network
from .paths import BY, PATHS
from .prices import PRICES, Prices, prices_for

__all__ = ["BY", "DESTINATIONS", "PATHS", "PRICES", "CostResult", "Prices", "cost", "cost_rows", "flow_log_bill", "keep",
           "network_tables", "prices_for", "save_flow_paths_view", "span_days", "topology_rows", "use_network",
           "volume", "what_ifs"]
