"""Network namespaces the lab owns: names, commands run inside them, and the state file that lists them.

Every name starts with `vpcfl-<lab id>-`, and the state file is written *before* anything is created, so
`lab down` can remove exactly what a lab made, also after a crash. Nothing here touches the host's own namespace.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import VpcFlowError

PREFIX = "vpcfl-"
NETNS_DIR = Path("/run/netns")
DEFAULT_STATE_DIR = Path("/run/vpcflow-lab")
CLONE_NEWNET = 0x40000000


class LabError(VpcFlowError):
    """The lab cannot be built, run or removed."""


def missing_tools() -> list[str]:
    """The Debian tools the lab runs that this host lacks."""
    return [t for t in ("ip", "nft") if shutil.which(t) is None]


def can_run() -> str | None:
    """Why the lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, nftables)"
    missing = missing_tools()
    if missing:
        return f"missing {', '.join(missing)}: apt-get install -y iproute2 nftables"
    return None


def sh(*argv: str, netns: str | None = None, stdin: str | None = None, check: bool = True,
       timeout: float = 30) -> subprocess.CompletedProcess:
    """Run a command (inside `netns` when given); a failure names the command and its stderr."""
    cmd = ["ip", "netns", "exec", netns, *argv] if netns else list(argv)
    try:
        done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(cmd)} took longer than {timeout:g} s") from None
    if check and done.returncode != 0:
        raise LabError(f"{' '.join(cmd)} failed: {done.stderr.strip() or done.stdout.strip()}",
                       hint="run `vpcflow lab down` to clean up, then retry")
    return done


def nft(ruleset: str, netns: str) -> None:
    """Load an nftables ruleset inside a lab namespace (never the host's)."""
    if not netns.startswith(PREFIX):
        raise LabError(f"refusing to load nftables rules outside a lab namespace ({netns})")
    sh("nft", "-f", "-", netns=netns, stdin=ruleset)


_libc = None


def enter(netns: str) -> None:
    """Move the calling thread into a lab namespace (sockets opened afterwards live there).

    A path (such as a saved `/proc/self/ns/net`) enters that namespace instead, to come back home.
    """
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(netns if netns.startswith("/") else NETNS_DIR / netns, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise LabError(f"cannot enter namespace {netns}: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


@dataclass
class LabState:
    """What one lab created (its namespaces), saved before they exist, and what it runs (`info`)."""

    lab_id: str
    path: Path
    namespaces: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @classmethod
    def new(cls, state_dir: Path = DEFAULT_STATE_DIR) -> LabState:
        lab_id = secrets.token_hex(2)
        state_dir.mkdir(parents=True, exist_ok=True)
        return cls(lab_id, state_dir / f"{lab_id}.json")

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.lab_id}-"

    def name(self, short: str) -> str:
        return f"{self.prefix}{short}"

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, self.path)

    def add_namespace(self, short: str) -> str:
        """Record, then create, a namespace; returns its full name."""
        name = self.name(short)
        self.namespaces.append(name)
        self.save()
        sh("ip", "netns", "add", name)
        # quiet namespaces: no IPv6 chatter in the records, loopback up for local services
        for key in ("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"):
            sh("sysctl", "-qw", key, netns=name)
        sh("ip", "link", "set", "lo", "up", netns=name)
        return name


def labs(state_dir: Path = DEFAULT_STATE_DIR) -> list[LabState]:
    """The labs whose state files are in `state_dir`."""
    found = []
    for path in sorted(state_dir.glob("*.json")) if state_dir.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found.append(LabState(data["lab_id"], path, data.get("namespaces", []), data.get("info", {})))
    return found


def _pids_in(netns: str) -> list[int]:
    done = sh("ip", "netns", "pids", netns, check=False)
    return [int(p) for p in done.stdout.split()] if done.returncode == 0 else []


def teardown(state: LabState, grace: float = 3.0) -> list[str]:
    """Stop the lab's processes (agents first, so they flush), then delete its namespaces and state file."""
    existing = {p.name for p in NETNS_DIR.iterdir()} if NETNS_DIR.is_dir() else set()
    ours = [n for n in state.namespaces if n.startswith(state.prefix)]
    ours += sorted(n for n in existing if n.startswith(state.prefix) and n not in ours)
    ours = [n for n in ours if n in existing]
    pids: set[int] = set()  # only processes inside our namespaces: a recorded pid may have been reused
    for n in ours:
        pids.update(_pids_in(n))
    _stop(sorted(pids), grace)
    for n in ours:
        sh("ip", "netns", "del", n, check=False)
    state.path.unlink(missing_ok=True)
    return ours


def _stop(pids: list[int], grace: float) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _alive(p)]
        time.sleep(0.05)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
