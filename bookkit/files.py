"""Files that are whole or absent, and locks that say who holds them.

``write_whole`` writes to a temporary name unique to the writer, then renames it into
place: a reader sees the old file or the new one, never a part, and two writers of one
path never collide (the last rename wins). The result cache, the sweep's kept runs, a
chapter's executed notebook and the build's small files are all written this way.

``lock(path, what)`` holds an exclusive lock on ``path`` (on a hidden file beside it,
``.<name>.lock``) while a block runs: a second holder waits, after printing which
process holds it and what it is doing; ``try_lock`` does not wait. The locks are
``fcntl.flock`` locks: released when their process ends, however it ends (on a network
file system they hold only where the file system supports flock).
"""
from __future__ import annotations

import fcntl
import os
import socket
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _umask()                     # read once, at import: os.umask is process-wide


def write_whole(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all.  -> the path"""
    if not isinstance(data, (str, bytes)):
        raise TypeError(f"write_whole writes str or bytes, not {type(data).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~UMASK)              # as open() would have made it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def lock_file(path: str | os.PathLike) -> Path:
    """The file that carries ``path``'s lock: ``.<name>.lock`` beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


class Held:
    """A lock this process holds; ``release`` (or process exit) lets it go."""

    def __init__(self, fd: int, path: Path):
        self.fd, self.path = fd, path

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _open(path) -> tuple[int, Path]:
    file = lock_file(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    return os.open(file, os.O_RDWR | os.O_CREAT, 0o666), file


def _claim(fd: int, file: Path, what: str) -> Held:
    since = datetime.now().astimezone().isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()} ({what}) since "
                  f"{since}".encode(), 0)
    return Held(fd, file)


def try_lock(path: str | os.PathLike, what: str) -> Held | None:
    """The lock on ``path`` if no one holds it, else None (at once)."""
    fd, file = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return _claim(fd, file, what)


def holder(path: str | os.PathLike) -> str | None:
    """Who holds the lock on ``path`` ("process 12 on host (what) since ..."), or None."""
    file = lock_file(path)
    try:
        fd = os.open(file, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    except BlockingIOError:
        return file.read_text().strip() or "another process"
    finally:
        os.close(fd)


def acquire(path: str | os.PathLike, what: str, out=None) -> Held:
    """The lock on ``path``; if another process holds it, say who on ``out`` (stderr;
    False: say nothing) and wait for it."""
    held = try_lock(path, what)
    if held is not None:
        return held
    if out is not False:
        print(f"{path} is locked by {holder(path) or 'another process'}; waiting for it",
              file=out or sys.stderr, flush=True)
    fd, file = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return _claim(fd, file, what)


@contextmanager
def lock(path: str | os.PathLike, what: str, out=None):
    """Hold the lock on ``path`` while the block runs (``acquire``: waits, saying so)."""
    held = acquire(path, what, out)
    try:
        yield held
    finally:
        held.release()


__all__ = ["write_whole", "lock", "acquire", "try_lock", "holder", "lock_file", "Held"]
