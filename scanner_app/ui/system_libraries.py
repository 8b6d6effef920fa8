"""Before the window starts on Linux: are the system libraries Qt's platform plugin links
against installed? Qt itself, when one is missing, aborts with "Could not load the Qt platform
plugin xcb" and often names the wrong library; this check runs `ldd` on the very plugin Qt
will load (and Qt's own libraries behind it), before anything of Qt is imported, and names
each missing library and the one `apt-get install` line that brings them.

No Qt here: a missing libEGL or libxkbcommon makes `import PySide6.QtWidgets` itself fail.
`missing_sonames` and `advice` are pure functions over what `ldd` printed, so the tests can
play a machine without a library; `check` runs the real `ldd`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# The Debian/Ubuntu package that ships each library the window's Qt plugins and modules link
# against (read with `ldd` on PySide6's libqxcb.so and the modules the window imports).
PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libpng16.so.16": "libpng16-16",
    "libexpat.so.1": "libexpat1",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libbsd.so.0": "libbsd0",
    "libmd.so.0": "libmd0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libzbar.so.0": "libzbar0",
    "libpulse.so.0": "libpulse0",
}
# What the window needs on a fresh Debian 12 / Ubuntu besides the base system: the README's
# apt line (a test keeps them the same).
APT_LINE = (
    "sudo apt-get install libegl1 libgl1 libfontconfig1 libxkbcommon-x11-0 libdbus-1-3 "
    "libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 "
    "libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 "
    "libx11-xcb1 libzbar0 libpulse0"
)
PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so", "eglfs": "libqeglfs.so"}
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


@dataclass(frozen=True)
class Missing:
    platform: str
    sonames: tuple[str, ...]

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(PACKAGES[s] for s in self.sonames if s in PACKAGES))

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(s for s in self.sonames if s not in PACKAGES)


def missing_sonames(ldd_output: str) -> tuple[str, ...]:
    """The libraries `ldd` could not find, in the order it printed them, each once."""
    return tuple(dict.fromkeys(NOT_FOUND.findall(ldd_output)))


def chosen_platform(environ: dict[str, str] | os._Environ[str]) -> str:
    """The platform plugin Qt will try first: QT_QPA_PLATFORM, else xcb (our frozen build
    carries no Wayland plugin; under Wayland the window runs through XWayland)."""
    requested = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    return requested or "xcb"


def advice(missing: Missing, language: str | None = None) -> str:
    """What to tell the user: which libraries, and the exact command."""
    from scanner_app.text.i18n import QT_TRANSLATE_NOOP, speaker

    say = speaker(language)
    lines = [
        say(
            QT_TRANSLATE_NOOP(
                "Cli", "scanner-app: the window cannot start: Qt's %1 platform needs these system libraries:"
            ),
            missing.platform,
        ),
        "  " + ", ".join(missing.sonames),
    ]
    if missing.packages:
        lines += [
            say(QT_TRANSLATE_NOOP("Cli", "Install them with:")),
            f"  sudo apt-get install {' '.join(missing.packages)}",
        ]
    if missing.unknown:
        lines.append(
            say(
                QT_TRANSLATE_NOOP("Cli", "Find the package that has %1 with: apt-file search %2"),
                ", ".join(missing.unknown),
                missing.unknown[0],
            )
        )
    lines.append(
        say(QT_TRANSLATE_NOOP("Cli", "(`scanner-app gate` scans without a window and needs none of them.)"))
    )
    return "\n".join(lines)


def plugin_path(platform: str) -> Path | None:
    """Qt's platform plugin file, from the source tree's PySide6 or the frozen build."""
    name = PLUGIN_FILES.get(platform)
    if name is None:
        return None
    roots = []
    spec = importlib.util.find_spec("PySide6")
    if spec is not None and spec.submodule_search_locations:
        roots += [Path(p) for p in spec.submodule_search_locations]
    if getattr(sys, "frozen", False):
        roots.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "PySide6")
    for root in roots:
        candidate = root / "Qt" / "plugins" / "platforms" / name
        if candidate.exists():
            return candidate
    return None


def run_ldd(path: Path) -> str | None:
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        return subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def check(environ: dict[str, str] | os._Environ[str] = os.environ) -> Missing | None:
    """None when nothing is missing or nothing can be told (not Linux, no ldd, a platform
    we do not know); else what is missing for the platform Qt will load."""
    if not sys.platform.startswith("linux"):
        return None
    platform = chosen_platform(environ)
    plugin = plugin_path(platform)
    output = run_ldd(plugin) if plugin is not None else None
    if output is None:
        return None
    sonames = missing_sonames(output)
    return Missing(platform, sonames) if sonames else None
