#!/usr/bin/python3
"""simpy_models.py -- the SimPy side of `make bench` (tests/bench/run.sh).

Written for SimPy 2.3 (Debian's python3-simpy 2.3.1, module `SimPy`, for
/usr/bin/python3): the object-oriented API of SimPy 2, a Simulation object,
Process subclasses with a generator method, and `yield hold, self, delay`.
SimPy 3 and later (module `simpy`, environments and timeouts) is another
API and is not used.

    simpy_models.py hold [EVENTS]     the hold model: 1,000 processes, each
                                      holding Exp(mean 1) again and again
    simpy_models.py updown [HOURS]    100 components alternating Exp(mean
                                      1000 h) up and Exp(mean 10 h) down

Each prints one line with the events fired, the CPU seconds of the
simulation (time.process_time, set-up left out) and events per second, in
the form tests/bench/run.sh reads (and the C programs bench_hold and
bench_updown print):

    simpy hold  pending=1000  events=300000  seconds=0.91  events_per_s=0.33e6
    simpy updown  components=100  hours=1e+06  events=197902  seconds=0.61  events_per_s=0.32e6  availability=0.99010

An event is one `hold` that ends: the process is resumed by the event list
once per hold, as the C kernel fires one event per scheduled event.  Both
models draw from Python's random module (Mersenne Twister), seeded.
"""
import random
import sys
import time

from SimPy.Simulation import Process, Simulation, hold

PENDING = 1000


class Holder(Process):
    """One of the hold model's processes: holds Exp(1), forever."""

    def __init__(self, sim, counter):
        Process.__init__(self, name="holder", sim=sim)
        self.counter = counter

    def run(self, rng):
        expo = rng.expovariate
        counter = self.counter
        while True:
            yield hold, self, expo(1.0)
            counter[0] += 1
            if counter[0] >= counter[1]:
                self.sim.stopSimulation()


def hold_model(events):
    rng = random.Random(20240601)
    sim = Simulation()
    counter = [0, events]
    for _ in range(PENDING):
        p = Holder(sim, counter)
        sim.activate(p, p.run(rng), delay=rng.expovariate(1.0))
    start = time.process_time()
    sim.simulate(until=float("inf"))
    seconds = time.process_time() - start
    fired = counter[0]
    print("simpy hold  pending=%d  events=%d  seconds=%.3f  events_per_s=%.3fe6"
          % (PENDING, fired, seconds, fired / seconds / 1e6))


COMPONENTS = 100
MTTF_H = 1000.0
MTTR_H = 10.0


class Component(Process):
    """Up for Exp(mean 1000 h), down for Exp(mean 10 h), again and again;
    adds up its downtime when each repair ends."""

    def __init__(self, sim, totals):
        Process.__init__(self, name="component", sim=sim)
        self.totals = totals

    def run(self, rng):
        expo = rng.expovariate
        totals = self.totals
        sim = self.sim
        while True:
            yield hold, self, expo(1.0 / MTTF_H)
            totals[0] += 1                      # failed
            down_at = sim.now()
            yield hold, self, expo(1.0 / MTTR_H)
            totals[0] += 1                      # repaired
            totals[1] += sim.now() - down_at


def updown_model(hours):
    rng = random.Random(20240601)
    sim = Simulation()
    totals = [0, 0.0]  # events fired, component-hours down
    for _ in range(COMPONENTS):
        c = Component(sim, totals)
        sim.activate(c, c.run(rng))
    start = time.process_time()
    sim.simulate(until=hours)
    seconds = time.process_time() - start
    # Repairs still running at the horizon are left out of totals[1], as in
    # bench_updown.c: about 1 component-hour in 10^8.
    availability = 1.0 - totals[1] / (COMPONENTS * hours)
    print("simpy updown  components=%d  hours=%g  events=%d  seconds=%.3f  "
          "events_per_s=%.3fe6  availability=%.5f"
          % (COMPONENTS, hours, totals[0], seconds, totals[0] / seconds / 1e6,
             availability))


def main(argv):
    if len(argv) < 2 or argv[1] not in ("hold", "updown") or len(argv) > 3:
        sys.stderr.write("usage: simpy_models.py hold [EVENTS] | updown [HOURS]\n")
        return 2
    if argv[1] == "hold":
        hold_model(int(argv[2]) if len(argv) == 3 else 300000)
    else:
        updown_model(float(argv[2]) if len(argv) == 3 else 1e6)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
