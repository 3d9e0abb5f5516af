"""Public threat lists fetched when the host is online: Tor's exit list and abuse.ch's Feodo Tracker botnet C2
list, each saved as a plain file under a folder and loaded with its category. Offline, the fetch fails with
a message that says how to load a copy instead; nothing half-fetched is loaded."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from ..detect.lists import load_lists, parse_list
from ..errors import VpcFlowError

FEEDS = {"tor-exit": "https://check.torproject.org/torbulkexitlist",
         "c2": "https://feodotracker.abuse.ch/downloads/ipblocklist.txt"}


def fetch(url: str, timeout: float = 15.0) -> str:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https feeds, or a test's loopback)
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise VpcFlowError(f"could not fetch {url}: {reason}",
                           hint="offline? download the list elsewhere and load it with --threat-list "
                                "(or vpcflow.detect.lists.load_lists)") from None


def refresh_lists(con, folder: str | Path, feeds: dict[str, str] | None = None, timeout: float = 15.0) -> Counter:
    """Fetch every feed (all or nothing), save each as `folder/<category>.txt`, load them; entries per category."""
    folder = Path(folder)
    texts = {category: fetch(url, timeout) for category, url in (feeds or FEEDS).items()}
    for category, text in texts.items():
        parse_list(text, f"{(feeds or FEEDS)[category]}", category)  # refuse a feed that is not a list
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for category, text in texts.items():
        path = folder / f"{category}.txt"
        path.write_text(text)
        files.append((path, category))
    return load_lists(con, files)
