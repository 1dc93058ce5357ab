"""A background import gives way to the requests being served (`import_jobs.run`).

Between two chunks of an import, the pacer looks at how contended the machine's CPU was while the
chunk was done: the share of that time in which some runnable task waited for a core (Linux's
pressure stall information, `/proc/pressure/cpu`, "some"). Alone on the machine an import and its
database session barely wait (1–2 % of each second, measured); with 50 people's requests being
served something waits 10–16 % of the time, more with the import. Above `CONTENDED` (10 %)
the import rests `rest` times as long as the chunk took (default 3: it then works a quarter of the
time), so its database work, which a lower niceness of the import's own process cannot lower,
leaves the cores to the requests; uncontended it never rests, and runs as fast as it can.

A phase that holds the database's write lock (SQLite's "writing") is never stretched: the
requests' own writes would wait for it. Where the pressure file cannot be read (not Linux, or an
older kernel) the import does not rest."""
import time

PRESSURE_FILE = "/proc/pressure/cpu"
CONTENDED = 0.10  # a share of the chunk's time in which some task waited for a core


def stalled_seconds(path=PRESSURE_FILE):
    """The machine's total time with some task waiting for a core, in seconds; None if unknown."""
    try:
        with open(path) as handle:
            some = handle.readline().split()
    except OSError:
        return None
    for field in some[1:]:
        name, _, value = field.partition("=")
        if name == "total":
            return int(value) / 1e6
    return None


class Pacer:
    """`pacer(phase)` after each chunk: rests as described above. `rest`: how many times the
    chunk's time to rest when the machine was contended (0: never). `holds_lock(phase)`: whether
    the phase holds the write lock."""

    def __init__(self, rest, holds_lock=lambda phase: False, clock=time.monotonic, sleep=time.sleep,
                 stalled=stalled_seconds):
        self.rest, self.holds_lock = rest, holds_lock
        self.clock, self.sleep, self.stalled = clock, sleep, stalled
        self._mark()

    def _mark(self):
        self.started, self.stalled_at = self.clock(), self.stalled()

    def __call__(self, phase):
        worked, stalled = self.clock() - self.started, self.stalled()
        if (self.rest and worked > 0 and stalled is not None and self.stalled_at is not None
                and not self.holds_lock(phase) and (stalled - self.stalled_at) / worked > CONTENDED):
            self.sleep(worked * self.rest)
        self._mark()
