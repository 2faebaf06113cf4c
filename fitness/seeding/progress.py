"""Progress bars on stderr: one line per stream with rows and rows/s, redrawn in place."""
import time


class Progress:
    def __init__(self, streams, *, enabled, stream, total_days):
        self.streams, self.enabled, self.out = streams, enabled, stream
        self.total_days = max(1, total_days)
        self.days = 0
        self.started = time.perf_counter()
        self.drawn = 0
        self._last = 0.0
        self._sink = None
        self._seconds = {}

    def day_done(self, sink, stream_seconds):
        self.days += 1
        self._sink, self._seconds = sink, stream_seconds
        if self.enabled and (time.perf_counter() - self._last > 0.5 or self.days == self.total_days):
            self.refresh()

    def refresh(self):
        if not self.enabled or self._sink is None:
            return
        self._last = time.perf_counter()
        done = self.days / self.total_days
        width = 30
        lines = []
        for name, tables in self.streams.items():
            rows = sum(self._sink.generated[t] + len(self._sink.buffers[t]) for t in tables)
            seconds = self._seconds.get(name, 0.0)
            rate = rows / seconds if seconds else 0
            bar = "#" * int(width * (1 if name == "master" else done))
            lines.append(f"{name:<12}[{bar:<{width}}] {rows:>11,} rows {rate:>10,.0f} rows/s")
        if self.drawn:
            self.out.write(f"\x1b[{self.drawn}F")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        self.drawn = len(lines)

    def close(self):
        if self.enabled:
            self.refresh()
