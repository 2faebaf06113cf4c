"""The visit stream on a second core: a forked process that simulates check-ins
and equipment sessions and hands back COPY text.

Visits are three quarters of a chain's rows and of its generation time, and
they depend on the rest of the simulation only through who may visit each day.
So on PostgreSQL, for a large run, the main process sends the worker each
day's eligible members (as indexes into the member list both sides hold) and
the worker sends back ready-to-COPY text, which a pump thread hands to the
loader. The worker owns the visit stream's own random generator, counters and
machines, exactly as the in-process stream does, so both give identical rows:
`InlineVisits` is the same interface without the process, for SQLite and
small runs.

The worker never touches the database (it inherits the parent's connection
and leaves it alone): every row goes through the parent's one transaction.
"""
import datetime as dt
import gc
import multiprocessing
import signal
import threading
import time
import traceback
from array import array

from .clock import DayClock
from .loader import copy_text
from .state import FLUSH_ROWS

VISIT_TABLES = ("memberaccess", "equipmentusage", "equipmentmaintenance")
# Below this many member-days the process start costs more than the second core saves.
WORKER_MIN_MEMBER_DAYS = 500_000


class VisitWorkerError(RuntimeError):
    """The visit worker failed; the message carries its traceback."""


class VisitMember:
    """What the visit stream reads of a member (the rest of MemberSim stays in the parent)."""

    __slots__ = ("id", "persona", "home", "join")

    def __init__(self, member_id, persona, home, join):
        self.id, self.persona, self.home, self.join = member_id, persona, home, join


def static_of(member):
    return (member.id, member.persona, member.home, member.join)


def worker_wanted(loader, members: int, days: int) -> bool:
    return (loader.copies and members * days >= WORKER_MIN_MEMBER_DAYS
            and "fork" in multiprocessing.get_all_start_methods())


class InlineVisits:
    """The visit stream in this process (rows go through the run's sink)."""

    def __init__(self, stream, members):
        self.stream, self.members = stream, members
        self.seconds = 0.0

    def start(self):
        pass

    def day(self, day, clock, eligible_indexes, joined):
        started = time.perf_counter()
        members = self.members
        self.stream.maintain(day, clock)
        self.stream.simulate_day(day, clock, [members[i] for i in eligible_indexes])
        self.seconds += time.perf_counter() - started

    def finish(self):
        pass

    def close(self):
        pass


class TextSink:
    """The worker's sink: rows become COPY text, sent to the parent in batches."""

    def __init__(self, channel, clock_seconds):
        self.channel, self.clock_seconds = channel, clock_seconds
        self.buffers = {table: [] for table in VISIT_TABLES}
        self.pending = 0

    def add(self, table, row):
        self.buffers[table].append(row)
        self.pending += 1

    def extend(self, table, rows, free_text=False):
        self.buffers[table].extend(rows)
        self.pending += len(rows)

    def maybe_flush(self):
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self):
        for table, rows in self.buffers.items():
            if rows:
                text = copy_text(rows, free_text=False).encode()
                self.channel.send(("rows", table, len(rows), text, self.clock_seconds()))
                self.buffers[table] = []
        self.pending = 0


def run_worker(stream, members, days_in, rows_out):
    """The worker process: simulate each day the parent sends, until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends us
    started = time.perf_counter()
    busy = [0.0]
    stream.sink = TextSink(rows_out, lambda: busy[0])
    try:
        while True:
            message = days_in.recv()
            if message is None:
                break
            tick = time.perf_counter()
            ordinal, joined, eligible = message
            members.extend(VisitMember(*values) for values in joined)
            clock = DayClock(dt.date.fromordinal(ordinal))
            stream.maintain(clock.day, clock)
            stream.simulate_day(clock.day, clock, [members[i] for i in array("i", eligible)])
            busy[0] += time.perf_counter() - tick
            stream.sink.maybe_flush()
        stream.sink.flush()
        numbers = {table: stream.counters.numbers.get(table, 0) for table in VISIT_TABLES}
        machines = [[m.next_preventive, m.out_until] for m in stream.machines]
        rows_out.send(("done", numbers, machines, busy[0], time.perf_counter() - started))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        rows_out.send(("error", traceback.format_exc()))


class VisitWorker:
    """Parent side: starts the worker, feeds it days, pumps its text into the loader."""

    def __init__(self, stream, members, loader, sink):
        self.stream, self.members, self.loader, self.sink = stream, members, loader, sink
        self.process = None
        self.pump = None
        self.error = None
        self.result = None
        self.seconds = 0.0

    def start(self):
        context = multiprocessing.get_context("fork")
        days_out, days_in = context.Pipe(duplex=False)[::-1]
        rows_in, rows_out = context.Pipe(duplex=False)
        # Objects built so far belong to the parent: the child's garbage collector must not walk (and so copy)
        # them all.
        gc.freeze()
        try:
            self.process = context.Process(target=run_worker, name="seed-visits", daemon=True,
                                           args=(self.stream, self.members, days_in, rows_out))
            self.process.start()
        finally:
            gc.unfreeze()
        days_in.close()
        rows_out.close()
        self.days_out, self.rows_in = days_out, rows_in
        self.pump = threading.Thread(target=self._pump, name="seed-visits-pump", daemon=True)
        self.pump.start()

    def day(self, day, clock, eligible_indexes, joined):
        self._send((day.toordinal(), [static_of(m) for m in joined], array("i", eligible_indexes).tobytes()))

    def finish(self):
        """Wait for the last visits; put the worker's counters and machines back into the run's state."""
        self._send(None)
        self.pump.join()
        self.process.join()
        self._raise_error()
        if self.result is None:
            raise VisitWorkerError(f"the visit worker ended (exit code {self.process.exitcode}) without its results")
        numbers, machines, busy, _ = self.result
        self.stream.counters.numbers.update(numbers)
        for machine, (next_preventive, out_until) in zip(self.stream.machines, machines):
            machine.next_preventive, machine.out_until = next_preventive, out_until
        self.seconds = busy

    def close(self):
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
        if self.pump is not None:
            self.pump.join()
        for end in (getattr(self, "days_out", None), getattr(self, "rows_in", None)):
            if end is not None:
                end.close()

    def _send(self, message):
        self._raise_error()
        try:
            self.days_out.send(message)
        except OSError:  # the worker is gone: its own report (or its silence) says why
            self.pump.join()
            self._raise_error()
            raise VisitWorkerError("the visit worker stopped unexpectedly") from None

    def _raise_error(self):
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _pump(self):
        """Thread: move the worker's text batches into the loader until it is done."""
        try:
            while True:
                message = self.rows_in.recv()
                kind = message[0]
                if kind == "rows":
                    _, table, count, text, busy = message
                    self.loader.write_text(table, text, count)
                    self.sink.generated[table] += count
                    self.seconds = busy
                elif kind == "done":
                    self.result = message[1:]
                    return
                else:
                    self.error = VisitWorkerError("the visit worker failed:\n" + message[1])
                    return
        except EOFError:
            self.error = VisitWorkerError("the visit worker stopped unexpectedly")
        except BaseException as error:  # a refused batch: raised in the main thread
            self.error = error
