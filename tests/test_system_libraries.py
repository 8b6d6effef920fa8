"""A first run on a machine without Qt's system libraries: the program names each missing
library and the exact `apt-get install` line, instead of Qt's abort ("could not load the Qt
platform plugin xcb", which blamed the wrong library on Debian 12).

The check reads what `ldd` prints for Qt's platform plugin; the pure functions are tested on
`ldd` output, and one real process runs against a copy of PySide6 whose xcb library asks for
a library no machine has.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner_app.ui import system_libraries
from scanner_app.ui.system_libraries import Missing, advice, missing_sonames

ROOT = Path(__file__).resolve().parent.parent

LDD_DEBIAN_12_WITHOUT_TWO = """\
\tlinux-vdso.so.1 (0x00007ffd5a7e2000)
\tlibQt6XcbQpa.so.6 => /opt/app/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f0a1c000000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f0a1bff0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a1bc00000)
"""
# The Debian base system every machine has (libc6, libstdc++6, zlib1g, systemd's library...):
# not the window's business.
BASE = {
    "linux-vdso.so.1",
    "libc.so.6",
    "libm.so.6",
    "libstdc++.so.6",
    "libgcc_s.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libz.so.1",
    "libzstd.so.1",
    "liblzma.so.5",
    "liblz4.so.1",
    "libsystemd.so.0",
    "libcap.so.2",
    "libgcrypt.so.20",
    "libgpg-error.so.0",
}


def test_the_missing_libraries_are_read_from_ldd_once_each() -> None:
    assert missing_sonames(LDD_DEBIAN_12_WITHOUT_TWO) == ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    assert missing_sonames("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n") == ()


def test_the_advice_names_each_library_and_the_exact_command() -> None:
    missing = Missing("xcb", missing_sonames(LDD_DEBIAN_12_WITHOUT_TWO))
    english = advice(missing, "en")
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in english
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in english.splitlines()[3]
    vietnamese = advice(missing, "vi")
    assert "thư viện" in vietnamese and "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in vietnamese


def test_a_library_we_do_not_know_gets_a_way_to_find_its_package() -> None:
    text = advice(Missing("xcb", ("libxcb-icccX.so.4",)), "en")
    assert "apt-file search libxcb-icccX.so.4" in text and "apt-get install" not in text


def test_every_library_qt_links_has_a_package_and_the_readme_line_has_them() -> None:
    """The table follows Qt: each library in the real plugin's `ldd` tree (Qt's own and the
    base system's aside) has its Debian package, and the README's one apt line carries every
    package of a library the window needs."""
    plugin = system_libraries.plugin_path("xcb")
    if plugin is None or sys.platform != "linux":
        pytest.skip("PySide6's xcb plugin is only on Linux")
    output = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    qt = str(plugin.parents[2])  # PySide6/Qt: Qt's own libraries (and the ICU it ships)
    names = {line.split()[0] for line in output.splitlines() if line.strip() and qt not in line}
    system = {n for n in names if "ld-linux" not in n} - BASE
    assert system - set(system_libraries.PACKAGES) == set()
    line = system_libraries.APT_LINE.split()
    assert line[:3] == ["sudo", "apt-get", "install"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert system_libraries.APT_LINE in readme


def fake_pyside6(tmp_path: Path, hidden: str, replacement: str) -> Path:
    """A PySide6 tree whose xcb library asks for `replacement` instead of `hidden`: symlinks
    to the real files, and a copy of libQt6XcbQpa with that one name changed."""
    real = system_libraries.plugin_path("xcb")
    assert real is not None and len(hidden) == len(replacement)
    qt = real.parents[2]
    fake = tmp_path / "site" / "PySide6"
    (fake / "Qt" / "plugins" / "platforms").mkdir(parents=True)
    (fake / "Qt" / "lib").mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "Qt" / "plugins" / "platforms" / real.name).symlink_to(real)
    for library in (qt / "lib").iterdir():
        target = fake / "Qt" / "lib" / library.name
        if library.name.startswith("libQt6XcbQpa.so"):
            data = library.read_bytes()
            assert data.count(hidden.encode() + b"\0") == 1
            target.write_bytes(data.replace(hidden.encode() + b"\0", replacement.encode() + b"\0"))
        else:
            target.symlink_to(library.resolve())
    return fake.parent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and the xcb plugin are Linux's")
def test_the_program_names_a_missing_library_instead_of_crashing_in_qt(tmp_path: Path) -> None:
    site = fake_pyside6(tmp_path, "libxcb-icccm.so.4", "libxcb-icccX.so.4")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env |= {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "DISPLAY": ":0", "LANG": "en_US.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-m", "scanner_app", "--data-dir", str(tmp_path / "data"), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "the window cannot start" in result.stderr and "libxcb-icccX.so.4" in result.stderr
    assert "apt-file search libxcb-icccX.so.4" in result.stderr
    assert "Traceback" not in result.stderr and "qt.qpa" not in result.stderr
