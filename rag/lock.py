"""One ingest at a time per data dir, across processes and threads: an exclusive `flock` on
<data dir>/ingest.lock. The holder writes who it is into the file, so a second ingest can say
who it is waiting for. The OS drops the lock when the holder exits, even on `kill -9`."""
from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Callable

from .errors import StoreError, storage_hint


class IngestBusy(StoreError):
    """Another ingest holds the data dir's lock."""


class IngestLock:
    def __init__(self, data_dir: Path, what: str = "") -> None:
        self.path = Path(data_dir) / "ingest.lock"
        self.what = what or Path(sys.argv[0]).name or "python"
        self._fd: int | None = None

    def holder(self) -> str:
        """Who holds (or last held) the lock, in words."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if not info:
            return "another process"
        since = time.strftime("%H:%M:%S", time.localtime(info.get("since", 0)))
        return f"pid {info.get('pid')} ({info.get('what')}) on {info.get('host')}, since {since}"

    def acquire(self, wait: float | None = None, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock; wait up to `wait` seconds (None: as long as it takes, 0: not at all).
        `on_wait(holder)` is called once if the lock is busy. Raises IngestBusy."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the ingest lock {self.path}: {exc.strerror or exc}",
                             storage_hint(exc, self.path.parent)) from None
        deadline = None if wait is None else time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    holder = self.holder()
                    os.close(fd)
                    raise IngestBusy(f"another ingest is running on {self.path.parent}: {holder}",
                                     "wait for it to finish and try again") from None
                if not told and on_wait is not None:
                    on_wait(self.holder())
                    told = True
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "what": self.what, "host": socket.gethostname(),
                                  "since": time.time()}).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "IngestLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
