"""The dashboard's allowed Host names are a setting like any other: vpcflow.toml, then VPCFLOW_ALLOW_HOST, then
--allow-host."""

from __future__ import annotations

import pytest

from vpcflow import config
from vpcflow.errors import VpcFlowError


def _toml(tmp_path, text: str):
    path = tmp_path / "vpcflow.toml"
    path.write_text(text)
    return path


def test_vpcflow_toml_names_the_allowed_hosts(tmp_path):
    path = _toml(tmp_path, '[serve]\nallow_host = ["flows.example.internal", "10.0.0.5"]\n')
    assert config.load(path, env={}).allow_host == ("flows.example.internal", "10.0.0.5")


def test_the_environment_beats_the_file_and_the_flag_beats_both(tmp_path):
    path = _toml(tmp_path, '[serve]\nallow_host = ["from-file.example"]\n')
    env = {"VPCFLOW_ALLOW_HOST": "a.example, b.example"}
    assert config.load(path, env=env).allow_host == ("a.example", "b.example")
    assert config.load(path, env=env, allow_host=("flag.example",)).allow_host == ("flag.example",)


def test_an_allowed_host_that_is_not_a_list_of_names_is_refused_with_the_file(tmp_path):
    path = _toml(tmp_path, '[serve]\nallow_host = "one.example"\n')
    with pytest.raises(VpcFlowError, match="serve.allow_host must be a list of Host names") as told:
        config.load(path, env={})
    assert told.value.location == str(path)
