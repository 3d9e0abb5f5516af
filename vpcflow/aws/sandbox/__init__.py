"""The tutorials' whole flow-log environment in one call: `up`, `traffic`, `status`, `down`, all by one tag.

from vpcflow.aws import AwsSession, AwsSettings
from vpcflow.aws.sandbox import SandboxSpec, plan_up, up, down
session = AwsSession(AwsSettings(region="eu-west-1"))
spec = SandboxSpec(name="lab", ssh_from="203.0.113.7/32")
plan = plan_up(session, spec); up(session, plan); ...; down(session, spec)
"""

from .build import SandboxResult, up
from .inventory import Inventory, Item, inventory
from .plan import SandboxPlan, plan_up
from .spec import SANDBOX_TAG, SandboxSpec, resolve_ssh_from
from .status import SandboxStatus, status
from .teardown import DownResult, down
from .traffic import TrafficRun, traffic

__all__ = [
    "SANDBOX_TAG",
    "DownResult",
    "Inventory",
    "Item",
    "SandboxPlan",
    "SandboxResult",
    "SandboxSpec",
    "SandboxStatus",
    "TrafficRun",
    "down",
    "inventory",
    "plan_up",
    "resolve_ssh_from",
    "status",
    "traffic",
    "up",
]
