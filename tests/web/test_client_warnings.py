"""The API tests' client (Starlette's TestClient, through FastAPI) imports without a warning: it runs on httpx2,
which the dev extra pins; on plain httpx Starlette warns (StarletteDeprecationWarning) that httpx is deprecated."""

from __future__ import annotations

import subprocess
import sys


def test_the_test_client_imports_without_a_warning():
    done = subprocess.run([sys.executable, "-W", "error", "-c", "import fastapi.testclient"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
