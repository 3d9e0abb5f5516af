"""A transit gateway in the emulated VPC: an attachment's interface per AZ, and the peers reached through it."""

from __future__ import annotations

import pytest

from vpcflow.emulate.paths import PathTruth
from vpcflow.emulate.traffic import TCP, Session
from vpcflow.network import ScenarioError, build_topology

from .helpers import capture_lines

SUBNETS = [{"name": "a", "cidr": "10.0.1.0/24", "az_id": "use1-az1"},
           {"name": "b", "cidr": "10.0.2.0/24", "az_id": "use1-az2"}]
ATTACHMENT = [{"name": "tgw-a", "type": "transit_gateway", "subnet": "a", "ip": "10.0.1.200"},
              {"name": "tgw-b", "type": "transit_gateway", "subnet": "b", "ip": "10.0.2.200"}]
APP = {"name": "app", "subnet": "b", "ip": "10.0.2.10"}
SERVICES_PEER = {"name": "services-vpc", "ip": "10.9.0.5", "via": "transit-gateway"}


def _spec(interfaces):
    return {"vpc": {"cidr": "10.0.0.0/16"}, "subnets": SUBNETS, "interfaces": interfaces, "peers": [SERVICES_PEER]}


def test_a_peer_through_a_transit_gateway_needs_the_vpcs_attachment():
    with pytest.raises(ScenarioError, match="transit gateway the VPC is not attached to"):
        build_topology(_spec([APP]))


def test_an_attachments_interface_has_no_security_groups_and_no_instance():
    tgw = build_topology(_spec([*ATTACHMENT, APP])).interface("tgw-a")
    assert (tgw.kind, tgw.groups, tgw.instance_id) == ("transit_gateway", [], None)


def test_an_instance_sends_through_the_attachment_in_its_own_az():
    def session(topology):
        return Session(1700000010, 1700000011, topology.interface("app"), "10.9.0.5", 6, 40000, 443, 3, 300, 3, 500,
                       TCP)

    lines = capture_lines(_spec([*ATTACHMENT, APP]), [session], start=1699999800, end=1700000400,
                          format="${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} "
                                 "${flow-direction} ${traffic-path}", interfaces=["tgw-a", "tgw-b"])
    topology = build_topology(_spec([*ATTACHMENT, APP]))
    b = topology.interface("tgw-b").id
    assert sorted(lines) == sorted([f"{b} 10.0.2.10 10.0.2.200 10.0.2.10 10.9.0.5 ingress -",
                                    f"{b} 10.0.2.200 10.0.2.10 10.9.0.5 10.0.2.10 egress 1"])


def test_the_truth_counts_the_instances_bytes_on_the_transit_gateway_path_once():
    topology = build_topology(_spec([*ATTACHMENT, APP]))
    truth = PathTruth(topology)
    app, tgw = topology.interface("app").index, topology.interface("tgw-b").index
    accepted = ("ACCEPT", None, None, "egress", 1)
    truth.observe(((app, "10.0.2.10", "10.9.0.5", False, False, accepted),
                   (tgw, "10.0.2.10", "10.0.2.200", False, False, ("ACCEPT", None, None, "ingress", None))), 1000)
    assert dict(truth.bytes) == {"transit-gateway": 1000}
