"""A folder's files are named by their resolved paths, however the folder was reached: the ledger keys on it."""

from __future__ import annotations

import os

from vpcflow.sources.local import resolve

RECORD = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n"


def test_a_folder_reached_through_a_link_names_its_files_by_their_resolved_paths(tmp_path):
    real = tmp_path / "real" / "2023" / "11"
    real.mkdir(parents=True)
    (real / "a.log").write_text(RECORD)
    os.symlink(tmp_path / "real", tmp_path / "linked")

    identities = [s.identity for s in resolve(str(tmp_path / "linked"))]

    assert identities == [str((real / "a.log").resolve())]


def test_a_file_that_is_a_link_in_a_folder_is_named_by_its_target(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "target.log").write_text(RECORD)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "plain.log").write_text(RECORD)
    os.symlink(elsewhere / "target.log", folder / "link.log")

    identities = sorted(s.identity for s in resolve(str(folder)))

    assert identities == sorted([str((elsewhere / "target.log").resolve()), str((folder / "plain.log").resolve())])


def test_a_relative_folder_names_its_files_by_absolute_paths(tmp_path, monkeypatch):
    (tmp_path / "logs" / "sub").mkdir(parents=True)
    (tmp_path / "logs" / "sub" / "a.log").write_text(RECORD)
    monkeypatch.chdir(tmp_path)

    identities = [s.identity for s in resolve("logs/../logs")]

    assert identities == [str((tmp_path / "logs" / "sub" / "a.log").resolve())]
