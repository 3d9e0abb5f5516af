"""How each detection's default thresholds were chosen, one paragraph each (docs/detections.md shows them).
None was fitted to the emulator's own attacks: the attacks are placed relative to these defaults (0.5x, 1.25x,
2x), and the benign look-alikes were written against the published behaviour they imitate."""

_INBOUND_SCAN = ("Unchanged from the first version. Inbound scans are low whatever their count (GuardDuty has no "
                 "finding for them), so the count only decides what appears in the low list beside the daily "
                 "internet-background summary.")
_FLOOD = ("GuardDuty publishes no rate. 2,000 packets a second to one public address is above an interactive or "
          "RTP UDP stream (tens to a few hundred a second) and above what a DNS forwarder sends one upstream; the "
          "reply share of 0.1 sits under what any answered transfer shows: TCP acknowledges at least every "
          "second full segment (RFC 1122 4.2.3.2) and QUIC at least every second ack-eliciting packet "
          "(RFC 9000 13.2.2), so about 0.5.")
_BRUTE = ("30 connections a window from one source to one login port (unchanged). The credential guessing every "
          "exposed login port receives (about 60 attempts an hour in the emulated internet, from sources making "
          "1 to 6 attempts each, the shape cloud honeypot studies report) stays below it per source. Severity "
          "follows GuardDuty: high when the instance guesses, low when it is the target, high again when a "
          "session's worth of bytes (50 kB in one record) follows the attempts within the gap.")
_LISTED = ("Any contact: the threat list is the evidence, so there is no count to reach. Severity is "
           "GuardDuty's for the finding type.")

WHY = {
    "port-scan-vertical": _INBOUND_SCAN, "port-scan-horizontal": _INBOUND_SCAN, "slow-scan": _INBOUND_SCAN,
    "port-scan-outbound": (
        "20 distinct TCP ports probed (at most two small packets each) by one instance in a window. Client "
        "software opens a handful of service ports on a peer, and real connections carry data, so they are "
        "never probes; nmap's fastest preset (-F) probes 100 ports. UDP is left out: traceroute sends small "
        "UDP datagrams to dozens of ports."),
    "port-sweep": ("20 public addresses probed on one port in a window by one instance: probes only, so a "
                   "crawler's or a CDN client's real connections to many addresses do not count."),
    "port-probe-unprotected": (
        "3 distinct internet sources whose probes the port accepted in a day. A public address receives about "
        "a thousand scanners a day spread over more than a thousand ports (see The emulated internet), so an "
        "open port is found by several a day, while one source may be a partner's check. Severity follows "
        "GuardDuty (low; high for Elasticsearch 9200/9300), extended to other data stores and control ports "
        "(Redis, MongoDB, Docker, kubelet, ...): web ports meant for the public stay low."),
    "port-probe-emr": "As port-probe-unprotected, on EMR's web and API ports; always high, as GuardDuty rates it.",
    "ssh-brute-force": _BRUTE, "rdp-brute-force": _BRUTE, "winrm-brute-force": _BRUTE,
    "dos-outbound-tcp": _FLOOD + " TCP floods are judged by size instead: a mean request packet of at most 120 "
                                 "bytes (a SYN is 40 to 60) with replies of at most twice the bytes (a download "
                                 "answers with 20 times and more).",
    "dos-outbound": _FLOOD, "dos-outbound-unusual-protocol": _FLOOD + " GRE, ESP and AH (VPNs) count as usual.",
    "dos-outbound-dns": _FLOOD + " A resolver under a DNS flood may answer every query, so replies do not clear it.",
    "udp-on-tcp-ports": _FLOOD,
    "dos-inbound": "Unchanged (10,000 packets a second to one host and port over a window); medium when accepted, "
                   "low when the security group rejected it.",
    "exfiltration": (
        "100 MB in an episode (windows of at least 25 MB) to a destination the instance has not reached in the "
        "6 hours before, at least 20 times its median egress per window, once it has an hour of history. "
        "Backups to the same target every few hours have history and stay quiet; the first hour is a blind spot."),
    "beaconing": ("The RITA-style scores are unchanged (0.8 overall, 0.7 for intervals, 20 connections over 3 "
                  "windows). A destination called by at least 3 instances and 30% of those calling out is the "
                  "fleet's (monitoring heartbeats, update checks), not a beacon."),
    "crypto-mining": ("A mining pool on the threat list: high on any contact. Without a list, a Stratum port with a "
                      "connection that stays open for 5 minutes (pool sessions are long-lived): medium, and the "
                      "finding says which it rests on. Common development ports (8888, 9999) are not in the list."),
    "unusual-port": ("A port outside the common list the instance has not used in 6 hours (3 windows of earlier "
                     "use allowed), once it has an hour of history; probes alone do not count (a scan is "
                     "port-scan-outbound's)."),
    "spam": ("10 distinct mail servers on port 25 in a window from an instance with no history of port 25 (GuardDuty: "
             "'no prior history'), so a mail server's steady sending stays quiet."),
    "dns-unusual-resolver": ("10 DNS queries to one outside resolver in an episode: an administrator's one-off "
                             "`dig @8.8.8.8` stays quiet; the VPC's own resolver never appears in flow logs."),
    "dns-over-https": "3 connections to a known public resolver on 443 in an episode.",
    "dns-over-tls": "3 connections on port 853 to a public address in an episode (853 is DNS over TLS or QUIC).",
    "tor-client": ("Any contact with a listed relay (high); without a list, 3 distinct addresses on Tor's ORPort or "
                   "DirPort in a window (a circuit has three hops; one host on 9001 is more likely a MinIO "
                   "console): medium."),
    "tor-relay": "3 distinct peers whose connections (not probes) a Tor port accepted in a window.",
    "c2-activity": _LISTED, "blackhole-traffic": _LISTED, "drop-point": _LISTED,
    "known-bad-peer": _LISTED + " Inbound traffic from a listed address that was only rejected is low.",
    "internet-background": ("One low summary row per port and day with at least 5 rejected internet sources: the "
                            "day's weather in a few dozen rows instead of a finding per scanner."),
    "reject-spike": "Unchanged (100 rejected records in a window, 10 times the usual); low: a rejection worked.",
}
