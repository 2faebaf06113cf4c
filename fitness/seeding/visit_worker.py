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

The worker never touches the database (see forked.py): every row goes
through the parent's one transaction.
"""
import datetime as dt
import multiprocessing
import queue
import threading
import time
import traceback

import numpy as np

from .clock import DayClock
from .forked import fork_pays, start_forked
from .loader import HandsOverErrors, copy_text
from .state import Sink
from .visits_sim import roster_entry

VISIT_TABLES = ("memberaccess", "equipmentusage", "equipmentmaintenance")
# Below this many member-days the process start costs more than the second core saves.
WORKER_MIN_MEMBER_DAYS = 500_000
DAYS_AHEAD = 8
COPY_NULL = "\\N"


class VisitWorkerError(RuntimeError):
    """The visit worker failed; the message carries its traceback."""


def worker_wanted(loader, members: int, days: int) -> bool:
    return fork_pays(loader, members * days, WORKER_MIN_MEMBER_DAYS)


class InlineVisits:
    """The visit stream in this process (rows go through the run's sink)."""

    def __init__(self, stream, roster):
        self.stream, self.roster = stream, roster  # the run's roster (the engine extends it with joiners)
        self.seconds = 0.0

    def start(self):
        pass

    def day(self, day, clock, comers, joined, class_visits):
        started = time.perf_counter()
        self.stream.maintain(day, clock)
        self.stream.simulate_day(day, clock, self.roster, comers, booked_array(class_visits))
        self.seconds += time.perf_counter() - started

    def finish(self):
        pass

    def close(self):
        pass


class TextSink(Sink):
    """The worker's sink: rows become COPY text, sent to the parent in batches (not to a loader)."""

    def __init__(self, channel, clock_seconds):
        super().__init__(loader=None)
        self.channel, self.clock_seconds = channel, clock_seconds

    def flush(self):
        for table, rows in self.buffers.items():
            if rows:
                # Visit rows hold no free text; their NULLs are already COPY's (see run_worker).
                text = copy_text(rows, free_text=False).encode()
                self.channel.send(("rows", table, len(rows), text, self.clock_seconds()))
                self.buffers[table] = []
        self.pending = 0


def booked_array(class_visits) -> np.ndarray:
    """The class stream's visits as the visit stream takes them: one int32 row each."""
    return np.array(class_visits, dtype=np.int32).reshape(-1, 5)


def run_worker(stream, roster, days_in, rows_out):
    """The worker process: simulate each day the parent sends, until it sends None."""
    busy = [0.0]
    stream.sink = TextSink(rows_out, lambda: busy[0])
    stream.null = COPY_NULL
    try:
        while True:
            message = days_in.recv()
            if message is None:
                break
            tick = time.perf_counter()
            ordinal, joined, comers, booked = message
            roster.extend(joined)
            clock = DayClock(dt.date.fromordinal(ordinal))
            stream.maintain(clock.day, clock)
            stream.simulate_day(clock.day, clock, roster, np.frombuffer(comers, dtype=np.int32),
                                np.frombuffer(booked, dtype=np.int32).reshape(-1, 5))
            busy[0] += time.perf_counter() - tick
            stream.sink.maybe_flush()
        stream.sink.flush()
        numbers = {table: stream.counters.numbers.get(table, 0) for table in VISIT_TABLES}
        machines = [[m.next_preventive, m.out_until] for m in stream.machines]
        rows_out.send(("done", numbers, machines, busy[0]))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        rows_out.send(("error", traceback.format_exc()))


class VisitWorker(HandsOverErrors):
    """Parent side: starts the worker, feeds it days, pumps its text into the loader."""

    def __init__(self, stream, roster, loader, sink):
        # The worker starts from a copy of the run's roster and adds the joiners each day's message names.
        self.stream, self.roster, self.loader, self.sink = stream, roster, loader, sink
        self.process = None
        self.pump = self.feeder = None
        # Days waiting for the worker: the main process runs up to this many days ahead of it, so neither
        # waits for the other on every day.
        self.days = queue.Queue(maxsize=DAYS_AHEAD)
        self.feed_failed = False
        self.error = None
        self.result = None
        self.seconds = 0.0

    def start(self):
        context = multiprocessing.get_context("fork")
        days_in, days_out = context.Pipe(duplex=False)  # (receiving end, sending end)
        rows_in, rows_out = context.Pipe(duplex=False)
        self.process = start_forked(run_worker, (self.stream, self.roster, days_in, rows_out), "seed-visits")
        days_in.close()
        rows_out.close()
        self.days_out, self.rows_in = days_out, rows_in
        self.pump = threading.Thread(target=self._pump, name="seed-visits-pump", daemon=True)
        self.pump.start()
        self.feeder = threading.Thread(target=self._feed, name="seed-visits-feeder", daemon=True)
        self.feeder.start()

    def day(self, day, clock, comers, joined, class_visits):
        self._send((day.toordinal(), [roster_entry(m) for m in joined], comers.tobytes(),
                    booked_array(class_visits).tobytes()))

    def finish(self):
        """Wait for the last visits; put the worker's counters and machines back into the run's state."""
        self._send(None)
        self.feeder.join()
        self.pump.join()
        self.process.join()
        self._check_feed()
        if self.result is None:
            raise VisitWorkerError(f"the visit worker ended (exit code {self.process.exitcode}) without its results")
        numbers, machines, busy = self.result
        self.stream.counters.numbers.update(numbers)
        for machine, (next_preventive, out_until) in zip(self.stream.machines, machines):
            machine.next_preventive, machine.out_until = next_preventive, out_until
        self.seconds = busy

    def close(self):
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
        if self.feeder is not None and self.feeder.is_alive():
            self.days.put(None)  # the feeder discards what is left once the worker is gone, then ends here
            self.feeder.join()
        if self.pump is not None:
            self.pump.join()
        for end in (getattr(self, "days_out", None), getattr(self, "rows_in", None)):
            if end is not None:
                end.close()

    def _send(self, message):
        self._check_feed()
        self.days.put(message)

    def _check_feed(self):
        """Raise the worker's failure, if it has failed (its own report, else that it is gone)."""
        self._raise_error()
        if self.feed_failed:
            self.pump.join()
            self._raise_error()
            raise VisitWorkerError("the visit worker stopped unexpectedly")

    def _feed(self):
        """Thread: send queued days to the worker, in order, until the end marker."""
        while True:
            message = self.days.get()
            if not self.feed_failed:
                try:
                    self.days_out.send(message)
                except OSError:  # the worker is gone; the main thread learns it at its next day
                    self.feed_failed = True
            if message is None:
                return

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
