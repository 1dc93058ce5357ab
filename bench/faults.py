"""`python -m bench.faults [ROUNDS]`: reproduce the worker faults of docs/scaling.md ("Workers that
die with SIGSEGV"), and count them. PostgreSQL at the bench's size (bench.common.prepare).

The simulated users sign in once on a first gunicorn. Then, ROUNDS times (4), two fresh instances
take those users as the scale-out phase does (their sessions and tokens already made, no sign-in on
the new workers), warm up and run the workload for BENCH_FAULT_SECONDS (10). Each instance's
workers write to this process's stderr; the count is of gunicorn's "was sent SIGSEGV" lines, read
back from that log. Core files: raise the core limit first (`ulimit -c unlimited`, and
/proc/sys/kernel/core_pattern to name them); PYTHONFAULTHANDLER=1 prints each fault's Python stack.
Loopback only; bounded by ROUNDS."""
import os
import sys
import tempfile

from bench import workload
from bench.common import INITIATIVES, MEASUREMENTS, prepare
from bench.serve import Gunicorn

SECONDS = float(os.environ.get("BENCH_FAULT_SECONDS", 10))
USERS = 50


def rounds_with_faults(url, rounds, log):
    """Run the rounds, the instances' output going to `log` (a file); the faults counted per round."""
    catalogue = workload.Catalogue(url)
    workload.cleanup(url)
    stderr = os.dup(2)
    os.dup2(log.fileno(), 2)  # the instances inherit this process's stderr
    counts = []
    try:
        with Gunicorn(url) as first:
            clients = workload.sign_in_all(url, [first.port], USERS)
            workload.warm_up(clients, catalogue)
        for _ in range(rounds):
            before = _faults(log)
            with Gunicorn(url) as one, Gunicorn(url) as two:
                for client in clients:
                    client.close()
                    client.ports, client.connections = [one.port, two.port], {}
                try:
                    workload.warm_up(clients, catalogue)
                    workload.run(clients, catalogue, USERS, duration=SECONDS)
                except OSError:
                    pass  # a worker died under a warm-up request: counted below
            workload.cleanup(url)
            counts.append(_faults(log) - before)
    finally:
        os.dup2(stderr, 2)
        os.close(stderr)
    return counts


def _faults(log):
    log.flush()
    with open(log.name, encoding="utf-8", errors="replace") as handle:
        return sum("was sent SIGSEGV" in line for line in handle)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    url, _ = prepare("postgresql", INITIATIVES, MEASUREMENTS)
    with tempfile.NamedTemporaryFile("w+", prefix="cxgov-faults-", suffix=".log", delete=False) as log:
        counts = rounds_with_faults(url, rounds, log)
    print(f"workers sent SIGSEGV per round ({rounds} rounds of two fresh instances, {USERS} users, "
          f"{SECONDS:g} s): {counts}; {sum(counts)} in all; the instances' log: {log.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
