"""Decoding in a child process, so that a native crash or hang in a decoder library
(zxing-cpp, zbar, OpenCV are C/C++) costs one frame, not the app.

Frames travel through shared memory (one copy, no pickling of megabytes); results come back
over a pipe. A crash is noticed when the pipe closes, a hang when no answer comes within
the timeout; either way the child is killed if needed and a fresh one started.
benchmarks/decode.py measures what the isolation costs per frame.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parent's side stays light: the window starts the child before it paints,
    # and numpy and OpenCV imported here would compete with it for the GIL (benchmarks/ui.py)
    from scanner_app.camera.decode import DecodeResult
    from scanner_app.camera.enhance import Gray

log = logging.getLogger(__name__)
DEFAULT_FACTORY = "scanner_app.camera.decode:Decoder"


def _make(factory: str, options: dict[str, Any]) -> Any:
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)(**options)


def _serve(conn: Connection, factory: str, options: dict[str, Any]) -> None:
    import numpy as np

    decoder = _make(factory, options)
    conn.send("ready")
    memory: SharedMemory | None = None
    try:
        while True:
            request = conn.recv()
            if request is None:
                return
            name, shape, decode_options = request
            if memory is None or memory.name != name:
                if memory is not None:
                    memory.close()
                memory = SharedMemory(name=name)
            image = np.ndarray(shape, dtype=np.uint8, buffer=memory.buf)
            conn.send(decoder.decode(image, **decode_options))
    except (EOFError, KeyboardInterrupt):
        return
    finally:
        if memory is not None:
            memory.close()


class IsolatedDecoder:
    def __init__(
        self,
        *,
        factory: str = DEFAULT_FACTORY,
        # one rung can be slow without hanging: WeChat's whole-frame reader took 2.5 s on a
        # 720p frame of noise and 4.9 s on a 1080p one (idle machine, 2026-12-02); a
        # textured scene under load must not pass for a hung decoder and be restarted
        timeout_seconds: float = 12.0,
        ladder_timeout_seconds: float = 60.0,
        **decoder_options: Any,
    ) -> None:
        self.factory = factory
        self.timeout = timeout_seconds  # one pass or one rung (live video)
        self.ladder_timeout = ladder_timeout_seconds  # the whole ladder (a still picture)
        self.options = decoder_options
        self.restarts = 0
        self._context = mp.get_context("spawn")  # no fork: safe beside threads and Qt
        self._process: Any = None
        self._conn: Connection | None = None
        self._memory: SharedMemory | None = None

    def start(self) -> None:
        """Start the child now (it takes about a second to import the decoders)."""
        if self._process is None:
            self._start()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve,
            args=(child, self.factory, self.options),
            daemon=True,
            name="scanner-decoder",
        )
        self._process.start()
        child.close()
        self._conn = parent
        if not parent.poll(60) or parent.recv() != "ready":
            raise RuntimeError("the decoder process did not start")

    def _ensure_memory(self, size: int) -> SharedMemory:
        if self._memory is None or self._memory.size < size:
            self._release_memory()
            self._memory = SharedMemory(create=True, size=max(size, 1280 * 720))
        return self._memory

    def decode(self, image: Gray, **options: Any) -> DecodeResult:
        import numpy as np

        if self._process is None or not self._process.is_alive():
            if self._process is not None:
                self._restart("decoder_crashed")
            self._start()
        memory = self._ensure_memory(image.size)
        target = np.ndarray(image.shape, dtype=np.uint8, buffer=memory.buf)
        target[...] = image
        assert self._conn is not None
        try:
            self._conn.send((memory.name, image.shape, options))
            whole_ladder = options.get("max_rungs") is None
            if not self._conn.poll(self.ladder_timeout if whole_ladder else self.timeout):
                return self._restart("decoder_hung")
            result: DecodeResult = self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            return self._restart("decoder_crashed")
        return result

    def _restart(self, problem: str) -> DecodeResult:
        log.error("decoder process %s; starting a fresh one", problem.replace("_", " "))
        self.restarts += 1
        self._stop_process()
        self._start()
        from scanner_app.camera.decode import DecodeResult

        return DecodeResult(error=problem)

    def _stop_process(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(timeout=5)
            self._process = None

    def _release_memory(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory.unlink()
            self._memory = None

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            with contextlib.suppress(BrokenPipeError, OSError):
                self._conn.send(None)
        self._stop_process()
        self._release_memory()

    def __enter__(self) -> IsolatedDecoder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
