"""`python -m vpcflow.lab agent CONFIG.json`: one capture agent (started by `vpcflow lab`, as root)."""

import sys

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "agent":
        sys.exit("usage: python -m vpcflow.lab agent CONFIG.json")
    from .agent import main

    sys.exit(main(sys.argv[2:]))
