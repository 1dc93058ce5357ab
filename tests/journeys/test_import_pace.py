"""A background import rests between chunks while the machine's CPU is contended, and only then."""
from cxgov.journeys import import_pace
from cxgov.journeys.import_pace import Pacer


class Machine:
    """A clock, the machine's stalled seconds and the rests taken, advanced by the test."""

    def __init__(self, stalled=0.0):
        self.now, self.stalled_total, self.rests = 100.0, stalled, []

    def work(self, seconds, stalled_share):
        self.now += seconds
        if self.stalled_total is not None:
            self.stalled_total += seconds * stalled_share

    def sleep(self, seconds):
        self.rests.append(round(seconds, 6))
        self.now += seconds

    def pacer(self, rest=3, **options):
        return Pacer(rest, clock=lambda: self.now, sleep=self.sleep, stalled=lambda: self.stalled_total, **options)


def test_an_import_alone_on_the_machine_never_rests():
    machine = Machine()
    pacer = machine.pacer()
    for _ in range(5):
        machine.work(0.5, stalled_share=0.01)
        pacer("checking")
    assert machine.rests == []


def test_while_requests_want_the_cores_each_chunk_is_followed_by_a_rest_of_three_times_its_time():
    machine = Machine()
    pacer = machine.pacer()
    machine.work(0.5, stalled_share=0.30)
    pacer("writing")
    machine.work(0.2, stalled_share=0.01)  # the requests stopped
    pacer("writing")
    machine.work(0.4, stalled_share=0.20)
    pacer("writing")
    assert machine.rests == [1.5, 1.2]


def test_a_phase_that_holds_the_write_lock_is_not_stretched():
    machine = Machine()
    pacer = machine.pacer(holds_lock=lambda phase: phase == "writing")
    machine.work(0.5, stalled_share=0.5)
    pacer("checking")
    machine.work(0.5, stalled_share=0.5)
    pacer("writing")
    assert machine.rests == [1.5]


def test_resting_is_off_with_rest_zero_or_without_the_pressure_file(tmp_path):
    machine = Machine()
    pacer = machine.pacer(rest=0)
    machine.work(1, stalled_share=0.9)
    pacer("checking")
    blind = Machine(stalled=None)
    pacer = blind.pacer()
    blind.work(1, stalled_share=0.9)
    pacer("checking")
    assert machine.rests == blind.rests == []
    assert import_pace.stalled_seconds(str(tmp_path / "missing")) is None


def test_the_pressure_file_is_read_as_linux_writes_it(tmp_path):
    path = tmp_path / "cpu"
    path.write_text("some avg10=1.36 avg60=19.68 avg300=11.24 total=61701958\n"
                    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    assert import_pace.stalled_seconds(str(path)) == 61.701958
