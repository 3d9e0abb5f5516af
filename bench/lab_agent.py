"""Packets per second one lab capture agent handles, against the same capture method merely counting packets.

Both modes read the same AF_PACKET socket of one lab interface. A bounded burst of UDP packets (from another
lab namespace, over 64 flows) waits in the socket's buffer; then the agent drains it, either counting only or
aggregating into flow records (5-tuple, direction, window, flags). Nothing is lost: the kernel's drop counter
is checked and the processed count is compared with the interface's nftables counter.

    sudo .venv/bin/python bench/lab_agent.py --quick     # 20,000 packets, seconds
    sudo .venv/bin/python bench/lab_agent.py             # 150,000 packets
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vpcflow.lab import can_run, firewall, network
from vpcflow.lab.agent import Agent, AgentConfig, kernel_drops
from vpcflow.lab.netns import enter, teardown

TOPOLOGY = {
    "vpc": {"cidr": "10.77.0.0/16"},
    "subnets": [{"name": "bench", "cidr": "10.77.1.0/24"}],
    "security_groups": [{"name": "open", "inbound": [{"cidr": "10.77.0.0/16"}]}],
    "interfaces": [{"name": "sender", "subnet": "bench", "ip": "10.77.1.10", "security_groups": ["open"]},
                   {"name": "receiver", "subnet": "bench", "ip": "10.77.1.11", "security_groups": ["open"]}],
}
HOME = f"/proc/{os.getpid()}/ns/net"  # this process's own namespace, saved before entering the lab's
BLAST = """
import socket, sys
n, dst = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * 64
for i in range(n):
    s.sendto(payload, (dst, 5000 + i % 64))
"""


def counted(lab, name: str) -> int:
    out = subprocess.run(["ip", "netns", "exec", lab.namespaces[name], "nft", "-j", "list", "counters"],
                         capture_output=True, text=True, check=True).stdout
    return sum(i["counter"]["packets"] for i in json.loads(out)["nftables"] if "counter" in i)


def one_run(lab, count_only: bool, packets: int, workdir: Path) -> tuple[float, int, int, int]:
    """(packets per second, processed, kernel drops, counted by nftables) for one burst."""
    receiver = lab.topology.interface("receiver")
    config = AgentConfig(lab.namespaces["receiver"], lab.router, receiver.index, firewall.nflog_group(receiver),
                         60.0, time.time(), str(workdir / "spool.jsonl"), count_only=count_only,
                         rcvbuf=1 << 30)
    base = counted(lab, "receiver")
    agent = Agent(config)  # this thread is now in the receiver's namespace; sockets buffer the burst
    subprocess.run(["ip", "netns", "exec", lab.namespaces["sender"], sys.executable, "-c", BLAST, str(packets),
                    receiver.ip], check=True, timeout=120)
    time.sleep(0.3)
    t0 = time.perf_counter()
    agent.drain_packets(time.time())
    elapsed = time.perf_counter() - t0
    agent.drain_verdicts(time.time())
    processed = agent.stats["packets"]
    drops = kernel_drops(agent.incoming) + kernel_drops(agent.outgoing)
    if not count_only:
        agent.emit(agent.windows.due(time.time(), 0, final=True))
    for sock in (agent.incoming, agent.outgoing, agent.sg.sock, agent.nacl.sock):
        sock.close()
    agent.spool.close()
    enter(HOME)  # back out, so tearing the lab down does not stop this process
    return processed / elapsed, processed, drops, counted(lab, "receiver") - base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 packets per burst")
    parser.add_argument("--packets", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = can_run()
    if reason:
        print(f"skipped: {reason}")
        return 0
    packets = args.packets or (20_000 if args.quick else 150_000)
    workdir = Path(tempfile.mkdtemp(prefix="vpcflow-lab-bench-"))
    global HOME
    home_fd = os.open(HOME, os.O_RDONLY)  # keep the namespace reachable: /proc/<pid>/ns/net follows the thread
    HOME = f"/proc/self/fd/{home_fd}"
    lab = network.up(TOPOLOGY, workdir / "state")
    try:
        results = {}
        for mode in ("count", "aggregate"):
            best = None
            for _ in range(args.repeat):
                rate, processed, drops, expected = one_run(lab, mode == "count", packets, workdir)
                lost = expected - processed
                if drops or lost:
                    print(f"  {mode}: {drops} kernel drops, {lost} packets not processed: lower --packets")
                best = max(best or 0, rate)
                print(f"  {mode:9s} {rate:12,.0f} packets/s  processed {processed:,} of {expected:,} counted"
                      f" by nftables, kernel drops {drops}")
            results[mode] = best
        ratio = results["aggregate"] / results["count"]
        print(f"agent (aggregating): {results['aggregate']:,.0f} packets/s; counting only: {results['count']:,.0f}"
              f" packets/s; ratio {ratio:.2f}x (target >= 0.7x)")
    finally:
        teardown(lab.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
