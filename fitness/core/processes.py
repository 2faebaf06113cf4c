"""What a forked child must do so that it never outlives its parent nor keeps the parent's resources.

A forked child inherits every open file of its parent: the database socket (whose server-side transaction,
with its locks, stays open while any process holds the socket) and the writer lock's file (whose flock holds
while any process has it open). Were the parent killed (SIGKILL gives it no chance to end its children), an
orphaned child would keep the ODS locked until someone found it. So a child lets go of those files at once and
asks the kernel to kill it when its parent dies.
"""
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

# prctl(2) option: the signal the kernel sends this process when its parent thread exits.
PR_SET_PDEATHSIG = 1
# Where the kernel cannot be asked (not Linux), how often a child looks whether its parent is still there.
PARENT_WATCH_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Arrange for this (forked) process to be killed when `parent_pid`, its parent, dies; exit now if it
    already has (it died between the fork and this call)."""
    if not _kernel_kills_orphan():
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _kernel_kills_orphan() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(1)


def let_go_of(fd: int) -> None:
    """Drop this process's hold on an inherited file descriptor while keeping its number taken: the objects
    that wrap it (a socket, a file) stay valid, so nothing later closes another file that reused the number."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def let_go_of_database_sockets() -> None:
    """Let go of the parent's open database connections: only the parent may end their transactions."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        fileno = getattr(raw, "fileno", None)
        if raw is not None and fileno is not None and connection.vendor == "postgresql":
            try:
                let_go_of(fileno())
            except Exception:  # noqa: BLE001 - a connection already closed holds nothing
                pass
