"""Builds a lab from the emulator's topology: namespaces for instances, a router joining the subnets, the internet.

    instance namespace (one per interface)   eth0 = the ENI, with its private address; security groups here
        │ veth
    router namespace   br<k> per subnet (gateway .1), network ACLs on the subnet boundary, uplink `igw`
        │ veth
    internet namespace  every peer address of the topology
A NAT gateway is an interface whose namespace masquerades; private subnets that name it route through it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from ..network.build import build_topology
from ..network.topology import NAT_GATEWAY, Topology
from . import firewall
from .netns import DEFAULT_STATE_DIR, LabError, LabState, labs, nft, sh, teardown

UPLINK, ROUTER_IP, INTERNET_IP = "igw", "100.64.0.1", "100.64.0.2"  # the router's link to the internet


@dataclass
class Lab:
    """A running lab: its state, topology, and the namespace of each interface."""

    state: LabState
    topology: Topology
    namespaces: dict[str, str]  # interface name -> namespace
    router: str
    internet: str

    @property
    def lab_id(self) -> str:
        return self.state.lab_id

    def netns_of(self, name: str) -> str:
        """The namespace that speaks for an interface or an internet peer."""
        if name in self.namespaces:
            return self.namespaces[name]
        if name in self.topology.peers:
            return self.internet
        raise LabError(f"no interface or peer named {name!r} in this lab",
                       hint=f"use one of: {', '.join([*self.namespaces, *self.topology.peers])}")

    def address_of(self, name: str) -> str:
        if name in self.namespaces:
            return self.topology.interface(name).ip
        if name in self.topology.peers:
            return self.topology.peers[name].ips[0]
        raise LabError(f"no interface or peer named {name!r} in this lab")

    def summary(self) -> dict:
        return {"lab": self.lab_id, "router": self.router, "internet": self.internet,
                "interfaces": [{"name": i.name, "interface_id": i.id, "ip": i.ip, "subnet": i.subnet.name,
                                "netns": self.namespaces[i.name]} for i in self.topology.interfaces]}


def _short(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:40]


def internet_peers(topology: Topology) -> list[str]:
    """Peer addresses the internet namespace holds (not the VPC's own, link-local or IPv6 ones)."""
    ips = []
    for peer in topology.peers.values():
        for ip in peer.ips:
            addr = ipaddress.ip_address(ip)
            if addr.version == 4 and addr not in topology.cidr and not addr.is_link_local and ip not in ips:
                ips.append(ip)
    return ips


def up(spec: dict, state_dir: Path = DEFAULT_STATE_DIR) -> Lab:
    """Create the lab's namespaces, links, routes and firewall rules; on any failure, remove what was made."""
    topology = build_topology(spec)
    state = LabState.new(Path(state_dir))
    state.info = {"topology": spec}
    state.save()
    try:
        return _build(state, topology)
    except BaseException:
        teardown(state)
        raise


def attach(state: LabState) -> Lab:
    """The Lab object of a lab that is already up (from its state file)."""
    topology = build_topology(state.info["topology"])
    return Lab(state, topology, {i.name: state.name(f"eni-{_short(i.name)}") for i in topology.interfaces},
               state.name("router"), state.name("internet"))


def _build(state: LabState, topology: Topology) -> Lab:
    router = state.add_namespace("router")
    for key in ("net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
                "net.ipv4.conf.default.send_redirects=0"):
        sh("sysctl", "-qw", key, netns=router)
    bridges: dict[str, str] = {}
    for k, (name, subnet) in enumerate(topology.subnets.items()):
        bridge = bridges[name] = f"br{k}"
        gateway = f"{subnet.cidr.network_address + 1}/{subnet.cidr.prefixlen}"
        sh("ip", "-n", router, "link", "add", bridge, "type", "bridge")
        sh("ip", "-n", router, "addr", "add", gateway, "dev", bridge)
        sh("ip", "-n", router, "link", "set", bridge, "type", "bridge", "mcast_snooping", "0")
        sh("ip", "-n", router, "link", "set", bridge, "multicast", "off", "up")
    internet = state.add_namespace("internet")
    sh("ip", "-n", router, "link", "add", UPLINK, "type", "veth", "peer", "name", "eth0", "netns", internet)
    sh("ip", "-n", router, "addr", "add", f"{ROUTER_IP}/30", "dev", UPLINK)
    sh("ip", "-n", internet, "addr", "add", f"{INTERNET_IP}/30", "dev", "eth0")
    for ip in internet_peers(topology):
        sh("ip", "-n", internet, "addr", "add", f"{ip}/32", "dev", "eth0")
    for ns, dev in ((router, UPLINK), (internet, "eth0")):
        _quiet_link(ns, dev)
    sh("ip", "-n", internet, "route", "add", str(topology.cidr), "via", ROUTER_IP)
    sh("ip", "-n", router, "route", "add", "default", "via", INTERNET_IP)
    lab = attach(state)
    for iface in topology.interfaces:
        _interface(lab, iface, bridges)
    _nat_routes(lab, bridges)
    private = [str(s.cidr) for s in topology.subnets.values() if not s.public]
    nft(firewall.router_ruleset(topology, bridges, UPLINK, private), router)
    return lab


def _quiet_link(netns: str, dev: str) -> None:
    """Bring a link up with offloads small: one packet on the wire is one packet in the records and counters."""
    sh("ip", "-n", netns, "link", "set", dev, "gso_max_segs", "1", "gro_max_size", "1500", check=False)
    sh("ip", "-n", netns, "link", "set", dev, "multicast", "off", "up")  # no IGMP chatter


def _interface(lab: Lab, iface, bridges: dict[str, str]) -> None:
    ns = lab.state.add_namespace(f"eni-{_short(iface.name)}")
    peer = f"v{iface.index}"
    subnet = iface.subnet
    sh("ip", "-n", lab.router, "link", "add", peer, "type", "veth", "peer", "name", firewall.DEVICE, "netns", ns)
    sh("ip", "-n", lab.router, "link", "set", peer, "master", bridges[subnet.name])
    _quiet_link(lab.router, peer)
    sh("ip", "-n", ns, "addr", "add", f"{iface.ip}/{subnet.cidr.prefixlen}", "dev", firewall.DEVICE)
    _quiet_link(ns, firewall.DEVICE)
    sh("ip", "-n", ns, "route", "add", "default", "via", str(subnet.cidr.network_address + 1))
    sh("sysctl", "-qw", "net.ipv4.conf.all.send_redirects=0", netns=ns)
    if iface.kind == NAT_GATEWAY:
        sh("sysctl", "-qw", "net.ipv4.ip_forward=1", netns=ns)
        nft(firewall.nat_ruleset(iface.ip, str(lab.topology.cidr)), ns)
    nft(firewall.security_group_ruleset(iface, lab.topology), ns)


def _nat_routes(lab: Lab, bridges: dict[str, str]) -> None:
    """Private subnets that name a NAT gateway send what leaves the VPC to it (a route table entry)."""
    topology = lab.topology
    for k, subnet in enumerate(topology.subnets.values()):
        if not subnet.nat_gateway:
            continue
        nat = topology.interface(subnet.nat_gateway)
        table = str(100 + k)
        sh("ip", "-n", lab.router, "rule", "add", "from", str(subnet.cidr), "to", str(topology.cidr),
           "lookup", "main", "priority", "100")
        sh("ip", "-n", lab.router, "rule", "add", "from", str(subnet.cidr), "lookup", table, "priority", "200")
        sh("ip", "-n", lab.router, "route", "add", "default", "via", nat.ip, "dev", bridges[nat.subnet.name],
           "table", table)


def down(state_dir: Path = DEFAULT_STATE_DIR, lab_id: str | None = None) -> list[str]:
    """Remove every lab in `state_dir` (or just `lab_id`): its processes and namespaces. Returns what was removed."""
    removed = []
    for state in labs(Path(state_dir)):
        if lab_id is None or state.lab_id == lab_id:
            removed += teardown(state)
    return removed
