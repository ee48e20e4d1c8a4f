"""dashboard.single_flight: one run of the work for every concurrent caller."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.single_flight import single_flight


def test_concurrent_callers_share_one_run_and_its_progress():
    flights, lock, runs, seen = {}, threading.Lock(), [], []

    def work(report):
        runs.append(1)
        report("half")
        time.sleep(0.2)
        return object()

    with ThreadPoolExecutor(4) as ex:
        values = list(ex.map(lambda _: single_flight(flights, lock, ("k",), work,
                                                     lambda *a: seen.append(a)), range(4)))
    assert len(runs) == 1 and all(v is values[0] for v in values)
    assert ("half",) in seen and not flights          # done flights are forgotten
    single_flight(flights, lock, ("k",), work)         # a later call runs the work again
    assert len(runs) == 2


def test_every_waiter_gets_the_error():
    flights, lock = {}, threading.Lock()

    def work(report):
        time.sleep(0.1)
        raise ValueError("unreadable")

    with ThreadPoolExecutor(3) as ex:
        futures = [ex.submit(single_flight, flights, lock, ("k",), work) for _ in range(3)]
    for f in futures:
        with pytest.raises(ValueError, match="unreadable"):
            f.result()
