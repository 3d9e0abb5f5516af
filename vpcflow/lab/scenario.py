"""Lab scenarios: a topology and the real traffic to send through it (servers, curl, ping, nmap, connection bursts).

A scenario file is the emulator's `topology:` mapping plus `steps:`, each a mapping whose first key names the
step (see docs/lab.md). Every command runs inside a lab namespace with a timeout, so load is bounded.
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from ..errors import NotFound
from .netns import LabError, sh
from .network import Lab

STEP_TIMEOUT = 60.0
_BURST = """
import socket, sys
src, dst, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for _ in range(count):
    s = socket.socket(); s.settimeout(1.0); s.bind((src, 0))
    try: s.connect((dst, port))
    except OSError: pass
    s.close()
"""
# http.server's own server_bind looks its name up in DNS, which a lab namespace cannot reach: skip that
_HTTP_SERVER = """
import functools, http.server, socketserver, sys
class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "lab", self.server_address[1]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
Server((sys.argv[1], int(sys.argv[2])), functools.partial(Quiet, directory=sys.argv[3])).serve_forever()
"""
_TCP_SERVER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(128)
while True:
    c, _ = s.accept(); c.sendall(b"SSH-2.0-vpcflow-lab\\r\\n"); c.close()
"""


@dataclass
class LabScenario:
    name: str
    spec: dict
    source: str

    @property
    def description(self) -> str:
        return str(self.spec.get("description", "")).strip()

    @property
    def topology(self) -> dict:
        return self.spec.get("topology") or {}

    @property
    def steps(self) -> list[dict]:
        return list(self.spec.get("steps") or [])


def builtin_names() -> list[str]:
    folder = resources.files(__package__) / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load(scenario) -> LabScenario:
    """A lab scenario from a built-in name, a YAML path or a mapping."""
    if isinstance(scenario, LabScenario):
        return scenario
    if isinstance(scenario, dict):
        return LabScenario(str(scenario.get("name", "scenario")), scenario, "<mapping>")
    text = str(scenario)
    if text in builtin_names():
        body, source = (resources.files(__package__) / "scenarios" / f"{text}.yaml").read_text(), f"built-in {text}"
    elif Path(text).is_file():
        body, source = Path(text).read_text(), text
    else:
        raise NotFound(f"no lab scenario {text!r}", hint=f"give a YAML file or one of: {', '.join(builtin_names())}")
    spec = yaml.safe_load(body)
    if not isinstance(spec, dict):
        raise LabError("a lab scenario is a mapping with topology: and steps:", location=source)
    return LabScenario(str(spec.get("name", Path(text).stem)), spec, source)


def _targets(lab: Lab, target: str) -> list[str]:
    """`subnet:<name>` (its CIDR), an interface or peer name, or an address."""
    kind, _, name = str(target).partition(":")
    if kind == "subnet" and name in lab.topology.subnets:
        return [str(lab.topology.subnets[name].cidr)]
    if target in lab.namespaces or target in lab.topology.peers:
        return [lab.address_of(target)]
    try:
        return [str(ipaddress.ip_network(target, strict=False))]
    except ValueError:
        raise LabError(f"unknown target {target!r}", hint="name an interface, a peer or subnet:<name>") from None


def _from(lab: Lab, step: dict) -> tuple[str, str, bool]:
    """(namespace, source address, is an internet peer) of the step's `from`."""
    name = step.get("from")
    if name is None:
        raise LabError(f"step {step} needs from: (an interface or a peer)")
    return lab.netns_of(name), lab.address_of(name), name in lab.topology.peers


def _curl(lab, step):
    ns, src, _ = _from(lab, step)
    url = f"http://{lab.address_of(step['curl'])}:{int(step.get('port', 80))}{step.get('path', '/')}"
    cmd = ["curl", "-s", "-o", "/dev/null", "--max-time", str(step.get("timeout", 5)), "--interface", src, url]
    return [(ns, cmd)] * int(step.get("count", 1))


def _ping(lab, step):
    ns, src, _ = _from(lab, step)
    count = min(int(step.get("count", 4)), 100)
    return [(ns, ["ping", "-n", "-q", "-c", str(count), "-i", "0.2", "-W", "1", "-I", src,
                  lab.address_of(step["ping"])])]


def _nmap(lab, step):
    ns, src, peer = _from(lab, step)
    cmd = ["nmap", "-sS", "-n", "-T4", "--max-retries", "1", "--host-timeout", "30s",
           "-p", str(step.get("ports", "1-1024"))]
    if peer:  # the internet namespace holds many addresses: say which one scans
        cmd += ["-S", src, "-e", "eth0"]
    return [(ns, cmd + _targets(lab, step["nmap"]))]


def _connect(lab, step):
    ns, src, _ = _from(lab, step)
    count = min(int(step.get("count", 30)), 1000)
    return [(ns, [sys.executable, "-c", _BURST, src, lab.address_of(step["connect"]), str(int(step["port"])),
                  str(count)])]


def _sleep(lab, step):
    time.sleep(min(float(step["sleep"]), 30))
    return []


STEPS = {"curl": _curl, "ping": _ping, "nmap": _nmap, "connect": _connect, "sleep": _sleep}
SERVICES = ("http", "tcp")


def start_service(lab: Lab, step: dict, webroot: Path) -> subprocess.Popen:
    """A server inside an interface's (or the internet's) namespace: `http` (python's http.server) or `tcp`."""
    if "at" not in step:  # not `on:`, which YAML reads as true
        raise LabError(f"serve step {step} needs at: (an interface or a peer)")
    kind, on, port = step["serve"], step["at"], int(step.get("port", 80))
    ns, ip = lab.netns_of(on), lab.address_of(on)
    if kind == "http":
        cmd = [sys.executable, "-c", _HTTP_SERVER, ip, str(port), str(webroot)]
    elif kind == "tcp":
        cmd = [sys.executable, "-c", _TCP_SERVER, ip, str(port)]
    else:
        raise LabError(f"unknown service {kind!r}", hint=f"use one of: {', '.join(SERVICES)}")
    proc = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # listening yet?
        if _listening(ns, port):
            return proc
        time.sleep(0.05)
    raise LabError(f"{kind} server on {on}:{port} did not start")


def _listening(ns: str, port: int) -> bool:
    """A TCP socket listens on `port` in the namespace (from /proc/net/tcp: `ss` needs sock_diag)."""
    table = sh("cat", "/proc/net/tcp", netns=ns, check=False).stdout.splitlines()[1:]
    return any(f.split()[1].endswith(f":{port:04X}") and f.split()[3] == "0A" for f in table if len(f.split()) > 3)


def run_steps(lab: Lab, steps: list[dict], webroot: Path) -> list[dict]:
    """Run the steps in order; each command bounded by its timeout. Returns what ran and how it ended."""
    ran = []
    for n, step in enumerate(steps):
        if "serve" in step:
            start_service(lab, step, webroot)
            ran.append({"step": n, "serve": f"{step['serve']} on {step['at']}"})
            continue
        kind = next((k for k in step if k in STEPS), None)
        if kind is None:
            raise LabError(f"step {n} names no known action", hint=f"use serve or one of: {', '.join(STEPS)}")
        timeout = min(float(step.get("timeout", STEP_TIMEOUT)), STEP_TIMEOUT)
        for ns, cmd in STEPS[kind](lab, step):
            t0 = time.monotonic()
            try:
                done = subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True,
                                      timeout=timeout)
                code = done.returncode
            except subprocess.TimeoutExpired:
                code = None
            ran.append({"step": n, "action": kind, "command": " ".join(cmd[:1] + cmd[-1:]), "exit": code,
                        "seconds": round(time.monotonic() - t0, 2)})
    return ran


def topology_spec(source=None) -> dict:
    """A topology mapping from a lab scenario name, a YAML file (a scenario with `topology:`, or a bare topology),
    or nothing (the `web` scenario's topology)."""
    if source is None:
        return load("web").topology
    if isinstance(source, dict):
        return source.get("topology", source)
    text = str(source)
    if text in builtin_names():
        return load(text).topology
    path = Path(text)
    if not path.is_file():
        raise NotFound(f"no topology {text!r}", hint=f"give a YAML file or one of: {', '.join(builtin_names())}")
    try:
        spec = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise LabError(f"not valid YAML: {exc}", location=text) from None
    if not isinstance(spec, dict):
        raise LabError("a topology is a mapping", location=text, hint="see docs/emulator.md")
    return spec.get("topology", spec)
