"""Crafted flow records: a benign baseline and one small attack per detection, as flow-log text."""

from __future__ import annotations

from pathlib import Path

T0 = 1767571200  # 2026-01-05T00:00:00Z
ENI = "eni-0a1b2c3d4e5f60718"
HOST = "10.0.0.5"
V5 = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
      "${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags}")


def rec(src, dst, sport, dport, proto, packets, nbytes, start, end=None, action="ACCEPT", flags=None, eni=ENI):
    line = (f"2 123456789010 {eni} {src} {dst} {sport} {dport} {proto} {packets} {nbytes} {int(start)} "
            f"{int(end if end is not None else start + 1)} {action} OK")
    return line if flags is None else line + f" {flags}"


def benign() -> list[str]:
    """Two hours of web clients, database queries and a little egress: nothing any detection should flag."""
    lines = []
    for k in range(240):
        t = T0 + k * 30
        client = f"203.0.113.{10 + k % 20}"
        sport = 40000 + k
        lines.append(rec(client, HOST, sport, 443, 6, 12, 2400, t, t + 3))
        lines.append(rec(HOST, client, 443, sport, 6, 18, 24000, t, t + 3))
        lines.append(rec(HOST, "10.0.1.7", 50000 + k, 5432, 6, 6, 900, t + 5, t + 6))
        lines.append(rec("10.0.1.7", HOST, 5432, 50000 + k, 6, 8, 5000, t + 5, t + 6))
        if (k * k) % 7 < 2:  # irregular times and sizes: ordinary egress, not a beacon
            lines.append(rec(HOST, "192.0.2.10", 45000 + k, 443, 6, 10, 3000 + (k * k * 37) % 9000, t + 7, t + 9))
    return lines


def attack(detector: str) -> list[str]:
    """A small, unmistakable instance of the detector's behaviour, an hour after the baseline starts."""
    t = T0 + 3600
    scanner = "198.51.100.9"
    out: list[str] = []
    if detector == "port-scan-vertical":
        out = [rec(scanner, HOST, 41000, p, 6, 1, 44, t, t, "REJECT") for p in range(1, 201)]
    elif detector == "port-scan-horizontal":
        out = [rec(scanner, f"10.0.0.{h}", 41000, p, 6, 1, 44, t, t, "REJECT") for h in range(5, 10) for p in (22, 445)]
    elif detector == "slow-scan":
        out = [rec(scanner, HOST, 41000, p, 6, 1, 44, t + p * 50, t + p * 50, "REJECT") for p in range(1, 61)]
    elif detector == "port-sweep":
        out = [rec(HOST, f"100.64.{h}.1", 42000 + h, 445, 6, 1, 60, t + h) for h in range(30)]
    elif detector in ("ssh-brute-force", "rdp-brute-force", "winrm-brute-force"):
        port = {"ssh-brute-force": 22, "rdp-brute-force": 3389, "winrm-brute-force": 5985}[detector]
        src, dst = (HOST, "192.0.2.170") if port == 5985 else (scanner, HOST)
        for k in range(60):
            out.append(rec(src, dst, 33000 + k, port, 6, 10, 2500, t + k * 8, t + k * 8 + 3))
            out.append(rec(dst, src, port, 33000 + k, 6, 9, 3000, t + k * 8, t + k * 8 + 3))
    elif detector == "exfiltration":
        out = [rec(HOST, "203.0.113.250", 47000 + k, 443, 6, 100000, 150_000_000, t + k * 60, t + k * 60 + 59)
               for k in range(4)]
    elif detector == "beaconing":
        out = [rec(HOST, "192.0.2.200", 34000 + k, 443, 6, 4, 400 + (k % 3), t + k * 60 + (k * 7) % 5,
                   t + k * 60 + (k * 7) % 5) for k in range(60)]
    elif detector == "dos-inbound":
        out = [rec(f"198.51.100.{130 + s}", HOST, 40000 + s, 80, 6, 600_000, 36_000_000, t, t + 599)
               for s in range(20)]
    elif detector == "dos-outbound":
        out = [rec(HOST, "192.0.2.170", 40001, 9987, 17, 18_000_000, 9_216_000_000, t, t + 599)]
    elif detector == "dos-outbound-dns":
        out = [rec(HOST, "192.0.2.170", 40001, 53, 17, 18_000_000, 1_440_000_000, t, t + 599)]
    elif detector == "dos-outbound-tcp":
        out = [rec(HOST, "192.0.2.170", 40001, 80, 6, 3_000_000, 150_000_000, t, t + 599)]
    elif detector == "dos-outbound-unusual-protocol":
        out = [rec(HOST, "192.0.2.170", 0, 0, 2, 3_000_000, 120_000_000, t, t + 599)]
    elif detector == "udp-on-tcp-ports":
        out = [rec(HOST, "192.0.2.170", 40001, 443, 17, 400_000, 480_000_000, t, t + 59)]
    elif detector == "crypto-mining":
        out = [rec(HOST, "192.0.2.133", 43000, 3333, 6, 400, 60000, t, t + 599)]
    elif detector == "unusual-port":
        out = [rec(HOST, "192.0.2.150", 43000 + k, 31337, 6, 6, 800, t + k * 120) for k in range(5)]
    elif detector == "spam":
        out = [rec(HOST, f"100.96.{h}.1", 44000 + h, 25, 6, 12, 8000, t + h * 10) for h in range(20)]
    elif detector == "known-bad-peer":
        out = [rec(HOST, "192.0.2.66", 44500, 443, 6, 8, 900, t, t + 2)]
    elif detector == "reject-spike":
        out = [rec(f"198.51.100.{k % 50 + 1}", HOST, 45000 + k, 3306, 6, 2, 120, t + k * 2, t + k * 2, "REJECT")
               for k in range(150)]
    elif detector == "port-scan-outbound":
        out = [rec(HOST, "10.0.1.9", 41000, p, 6, 1, 44, t, t, "REJECT") for p in range(1, 101)]
    elif detector in ("port-probe-unprotected", "port-probe-emr"):
        port = 9200 if detector == "port-probe-unprotected" else 8088
        out = [rec(f"198.51.100.{20 + s}", HOST, 41000 + s, port, 6, 2, 84, t + s * 300) for s in range(5)]
    elif detector == "internet-background":
        out = [rec(f"198.51.100.{20 + s}", HOST, 41000 + s, 23, 6, 1, 44, t + s * 300, action="REJECT")
               for s in range(10)]
    elif detector == "dns-unusual-resolver":
        out = [rec(HOST, "203.0.113.53", 41000 + k, 53, 17, 1, 70, t + k * 30) for k in range(20)]
    elif detector in ("dns-over-https", "dns-over-tls"):
        resolver, port = ("1.1.1.1", 443) if detector == "dns-over-https" else ("9.9.9.9", 853)
        out = [rec(HOST, resolver, 41000 + k, port, 6, 10, 2000, t + k * 60, t + k * 60 + 5) for k in range(5)]
    elif detector in LISTED:
        out = [rec(HOST, LISTED[detector], 41000 + k, 443, 6, 10, 2000, t + k * 60, t + k * 60 + 5)
               for k in range(3)]
    elif detector == "tor-client":
        out = [rec(HOST, f"100.70.{k}.1", 41000 + k, 9001, 6, 40, 9000, t + k, t + 300) for k in range(3)]
    elif detector == "tor-relay":
        out = [rec(f"100.70.{k}.1", HOST, 41000 + k, 9001, 6, 40, 9000, t + k, t + 300) for k in range(5)]
    return out


# A threat list with categories (vpcflow.detect.lists' CSV shape), naming the addresses LISTED calls.
LISTED = {"c2-activity": "192.0.2.200", "blackhole-traffic": "192.0.2.201", "drop-point": "192.0.2.202"}
CATEGORIES_CSV = ("network,category,source\n192.0.2.200,c2,test\n192.0.2.201,blackhole,test\n"
                  "192.0.2.202,drop-point,test\n198.18.5.0/24,tor-relay,test\n")


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path
