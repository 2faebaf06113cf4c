"""Work done in a forked process beside the simulation, on a second core.

Fork (not spawn) so that the child starts from the parent's memory: the chain
already built, no Django start-up, no pickling of the inputs. A child never
touches the database; the parent's connection and its one transaction stay the
parent's: the child lets go of the socket at once, and dies with the parent
however the parent dies (fitness.core.processes). Forks happen before the
loader's COPY thread starts, as forking a process that runs other threads is
unsafe.
"""
import gc
import multiprocessing
import signal
import os
import traceback

from fitness.core.processes import die_with_parent, let_go_of_database_sockets

# Below this many starting members, drawing their rows in this process costs less than starting another.
MEMBER_ROWS_MIN_MEMBERS = 10_000


def fork_pays(loader, size: int, threshold: int) -> bool:
    """Whether work of `size` (members, member-days) is worth a forked process: the run loads through COPY (the
    only path that takes text from a child), the work reaches `threshold`, and the platform can fork."""
    return loader.copies and size >= threshold and "fork" in multiprocessing.get_all_start_methods()


def start_forked(target, args, name):
    """Start `target(*args)` in a forked daemon process, which ignores Ctrl-C (the parent handles it), holds
    none of the parent's database connections and dies with the parent."""
    context = multiprocessing.get_context("fork")
    # Objects built so far belong to the parent: the child's garbage collector must not walk (and so copy) them.
    gc.freeze()
    try:
        process = context.Process(target=_child_main, name=name, daemon=True, args=(os.getpid(), target, args))
        process.start()
    finally:
        gc.unfreeze()
    return process


def _child_main(parent_pid, target, args):
    die_with_parent(parent_pid)
    let_go_of_database_sockets()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    target(*args)


class Background:
    """`function(*args)`, computed in a forked process started now, or (`fork=False`) in this process when
    `result()` asks for it. Either way the result is the same: `function` must depend on its arguments only."""

    def __init__(self, function, *args, fork: bool, name="seed-background"):
        self.function, self.args, self.name = function, args, name
        self.process = None
        if fork:
            context = multiprocessing.get_context("fork")
            self.reader, writer = context.Pipe(duplex=False)
            self.process = start_forked(_send_result, (writer, function, args), name)
            writer.close()

    def result(self):
        if self.process is None:
            return self.function(*self.args)
        try:
            kind, value = self.reader.recv()
        except EOFError:
            raise RuntimeError(f"the {self.name} process stopped unexpectedly") from None
        finally:
            self.close()
        if kind == "error":
            raise RuntimeError(f"the {self.name} process failed:\n{value}")
        return value

    def close(self):
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            self.reader.close()
            self.process = None


def _send_result(writer, function, args):
    try:
        writer.send(("ok", function(*args)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        writer.send(("error", traceback.format_exc()))
