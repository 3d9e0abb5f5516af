"""`vpcflow --version` prints the installed package's version."""

from __future__ import annotations

from importlib.metadata import version

import vpcflow
from vpcflow.cli.main import main


def test_version_prints_the_package_version_and_exits_zero(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"vpcflow {vpcflow.__version__}\n"


def test_the_package_metadata_and_the_module_agree_on_the_version():
    assert version("vpcflow") == vpcflow.__version__
