"""The run lock is private: a per-user folder, never a symlink, one clear line when it cannot be had."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.lock import LockError, lock_path, run_lock


def folder(path: Path, mode: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


def test_a_private_runtime_dir_holds_the_lock(tmp_path: Path) -> None:
    runtime = folder(tmp_path / "run", 0o700)
    assert lock_path("", str(runtime), str(tmp_path / "cache")) == runtime / "dailyplan.lock"


def test_a_shared_runtime_dir_is_passed_over_for_a_0700_cache_folder(tmp_path: Path) -> None:
    shared = folder(tmp_path / "tmp", 0o777)
    path = lock_path("", str(shared), str(tmp_path / "cache"))
    assert path == tmp_path / "cache" / "dailyplan" / "dailyplan.lock"
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_a_cache_folder_others_can_enter_is_made_private(tmp_path: Path) -> None:
    folder(tmp_path / "cache" / "dailyplan", 0o755)
    path = lock_path("", "", str(tmp_path / "cache"))
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_a_symlinked_cache_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "dailyplan").symlink_to(folder(tmp_path / "elsewhere", 0o777))
    with pytest.raises(LockError) as err:
        lock_path("", "", str(tmp_path / "cache"))
    assert str(err.value) == (f"the run lock's folder {tmp_path}/cache/dailyplan is not a directory of "
                              "yours (a symlink, or another user's); remove it, or set "
                              "DAILYPLAN_LOCK_FILE to a file of your own")


def test_a_planted_symlink_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    (tmp_path / "lock").symlink_to(target)
    with pytest.raises(LockError) as err, run_lock(str(tmp_path / "lock")):
        pass
    assert str(err.value) == (f"the run lock {tmp_path}/lock is a symbolic link, which dailyplan "
                              "never follows; remove it, or set DAILYPLAN_LOCK_FILE to a file of your own")
    assert target.read_text() == "keep me"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(LockError, match="is a symbolic link"), run_lock(str(dangling)):
        pass
    assert not (tmp_path / "would-be-created").exists()


def test_a_lock_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "lock").mkdir()
    with pytest.raises(LockError) as err, run_lock(str(tmp_path / "lock")):
        pass
    assert str(err.value) == (f"cannot open the run lock {tmp_path}/lock (Is a directory); set "
                              "DAILYPLAN_LOCK_FILE to a file of your own")


def test_the_lock_file_is_created_for_its_user_alone(tmp_path: Path) -> None:
    with run_lock(str(tmp_path / "lock")):
        st = os.stat(tmp_path / "lock")
    assert (st.st_mode & 0o777) == 0o600 and st.st_uid == os.getuid()


def test_a_cache_that_cannot_be_made_falls_back_to_a_private_temp_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")  # the cache "folder" would be inside a file: unmakeable
    monkeypatch.setattr("tempfile.tempdir", str(folder(tmp_path / "tmp", 0o777)))
    path = lock_path("", "", str(tmp_path / "file" / "cache"))
    assert path == tmp_path / "tmp" / f"dailyplan-{os.getuid()}" / "dailyplan.lock"
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_no_folder_that_can_be_made_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "file"))
    with pytest.raises(LockError) as err:
        lock_path("", "", str(tmp_path / "file" / "cache"))
    assert str(err.value) == (f"cannot make the run lock's folder {tmp_path}/file/cache/dailyplan "
                              "(Not a directory); set DAILYPLAN_LOCK_FILE to a file of your own")
