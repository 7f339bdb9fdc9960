"""Installs every normal way: the wheel alone, in a fresh venv, runs the demo (offline).

The wheel is built from this tree with the test venv's setuptools (no build isolation, so no
download), installed without dependencies or an index into a venv that borrows only the test
venv's third-party packages (a path file, so the editable install of this tree is not seen), and
``dailyplan demo`` runs from a folder far from the source: it must find its template inside the
package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_installs_in_a_fresh_venv_and_the_demo_files_a_plan(tmp_path: Path) -> None:
    # a clean copy, as a fresh clone has it: no egg-info or build folder to lend files to the wheel
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "build", "__pycache__", ".pytest_cache", ".ruff_cache", "tests"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(dist), str(source)], check=True, capture_output=True,
                   cwd=tmp_path)
    [wheel] = dist.glob("dailyplan-*.whl")
    assert "runner/templates/plan.txt.j2" in zipfile.ZipFile(wheel).namelist()  # package data
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, capture_output=True)

    away = tmp_path / "elsewhere"
    away.mkdir()
    where = subprocess.run([str(python), "-c", "import runner; print(runner.__file__)"], cwd=away,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(site))  # the wheel's copy, not this tree
    demo = subprocess.run([str(fresh / "bin" / "dailyplan"), "demo"], cwd=away, capture_output=True,
                          text=True, timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "submitted and read back" in demo.stdout
    assert "read back from the server: identical" in demo.stdout
