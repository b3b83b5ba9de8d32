"""The simulator against theory: loop capacity, M/D/1 waits, Little's law, recirculation."""

import numpy as np
import pytest

from sorter import Arrivals, ByVolume, Line, Truck, line_capacity_per_h, simulate


def _saturated(n: int, villages: int) -> Arrivals:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, villages, n).astype(np.int32)
    return Arrivals((Truck("T", "X", 0.0, codes),), tuple(f"V{k}" for k in range(villages)))


def _ample(num_induction: int, rate: float) -> Line:
    return Line.evenly_spaced(
        20,
        num_induction=num_induction,
        induction_rate_per_h=rate,
        chute_capacity=100_000,
        bagging_operators=4,
        no_read_prob=0.0,
        exception_prob=0.0,
        unload_rate_per_h=float("inf"),
    )


@pytest.mark.parametrize(
    ("stations", "rate", "expected"),
    [
        (3, 2500.0, 7500.0),  # induction-bound: sum of station rates
        (8, 2500.0, 2.5 * 3600 / 0.67),  # carrier-bound: downstream stations starve
    ],
)
def test_saturated_throughput_matches_capacity(stations, rate, expected):
    line = _ample(stations, rate)
    assert line_capacity_per_h(line) == pytest.approx(expected)
    res = simulate(line, _saturated(12_000, 20), assignment=ByVolume(), seed=0)
    t = np.sort(res.induct_s)
    lo, hi = t[len(t) // 10], t[9 * len(t) // 10]
    rate_sim = (0.8 * len(t)) / (hi - lo) * 3600
    assert rate_sim == pytest.approx(expected, rel=0.02)
    assert res.summary()["recirculation_rate"] == 0.0


def test_downstream_stations_get_fewer_carriers():
    line = _ample(8, 2500.0)
    res = simulate(line, _saturated(6000, 20), assignment=ByVolume(), seed=0)
    per_station = np.bincount(res.station, minlength=8)
    assert per_station[0] > per_station[-1]
    assert (
        list(per_station[:4]) == sorted(per_station[:4], reverse=True)
        or per_station[0] >= per_station[3]
    )


def test_md1_wait_and_littles_law(poisson_arrivals):
    rate_h = 2000.0  # deterministic handling 1.8 s
    mu = rate_h / 3600.0
    rho = 0.7
    lam = rho * mu
    line = Line.evenly_spaced(
        4,
        num_induction=1,
        induction_rate_per_h=rate_h,
        chute_capacity=100_000,
        no_read_prob=0.0,
        exception_prob=0.0,
        unload_rate_per_h=float("inf"),
        oversize_to_manual=False,
    )
    arr = poisson_arrivals(lam, 60_000, seed=5)
    res = simulate(line, arr, assignment=ByVolume(), seed=0)
    wait = res.induction_wait()
    wq_theory = rho / (2 * mu * (1 - rho))  # Pollaczek-Khinchine, M/D/1
    assert wait.mean() == pytest.approx(wq_theory, rel=0.05)
    # Little's law on the induction queue, from the monitors
    q = res.induction_queue()
    span = q.t_end - q.t_start
    lam_hat = wait.count() / span
    assert q.mean() == pytest.approx(lam_hat * wait.mean(), rel=0.02)
    # utilisation = lambda / mu from the station level monitor (handling + belt ~ handling)
    busy = res.station_monitors()["I1"].mean()
    assert busy == pytest.approx(lam_hat / mu, rel=0.05)


def test_recirculation_rises_as_chute_capacity_falls(small_arrivals):

    arr = small_arrivals(1500, n_villages=12, seed=1)
    rates = []
    for cap in (40, 12, 4):
        line = Line.evenly_spaced(
            12,
            num_induction=2,
            chute_capacity=cap,
            bagging_operators=2,
            bag_time_s=90.0,
            unload_ports=8,
        )
        rates.append(
            np.mean(
                [
                    simulate(
                        line, small_arrivals(1500, 12, seed=s), assignment=ByVolume(), seed=s
                    ).summary()["recirculation_rate"]
                    for s in range(3)
                ]
            )
        )
    assert arr.parcels > 0
    assert rates[0] < rates[1] < rates[2], rates


def _keying_line(keyers: int, keying_s: float) -> Line:
    return Line.evenly_spaced(
        4,
        num_induction=1,
        induction_rate_per_h=36_000.0,  # 0.1 s a parcel: the station barely delays anyone
        chute_capacity=100_000,
        no_read_prob=0.5,
        exception_prob=0.0,
        keyers=keyers,
        keying_delay_s=keying_s,
        unload_rate_per_h=float("inf"),
        oversize_to_manual=False,
    )


def test_keying_queue_is_md1(poisson_arrivals):
    """One keyer, 24 s a parcel; parcels arrive Poisson at 0.05/s and half are no-reads.

    The no-reads reach the no-read chute as a Poisson stream of rate 0.025/s: a Bernoulli
    thinning of a Poisson stream, passed through a station at 0.5 % utilisation and a fixed
    travel time (plus under one carrier pitch of alignment), which leave it Poisson to first
    order. Keying is then an M/D/1 queue with mu = 1/24 per s, rho = lambda / mu = 0.6, and the
    Pollaczek-Khinchine formula gives the mean wait
        Wq = rho / (2 mu (1 - rho)) = 0.6 * 24 / 0.8 = 18 s.
    Little's law L = lambda * Wq holds exactly on the logged queue, and the keyer's
    utilisation is rho.
    """
    lam, s = 0.05, 24.0
    res = simulate(_keying_line(1, s), poisson_arrivals(lam, 40_000, seed=7), assignment=ByVolume())
    wait = res.queue_wait("keying")
    lam_nr = wait.count() / (res.t_end - res.t_start)
    rho = lam_nr * s
    assert rho == pytest.approx(0.6, rel=0.03)
    assert wait.mean() == pytest.approx(rho * s / (2 * (1 - rho)), rel=0.08)
    q = res.queue_length("keying")
    assert q.mean() == pytest.approx(lam_nr * wait.mean(), rel=0.02)  # Little
    assert res.queue_busy("keying").mean() == pytest.approx(rho, rel=0.02)


def test_keying_with_two_keyers_is_md2(poisson_arrivals):
    """Two keyers, 48 s a parcel, the same no-read stream (lambda = 0.025/s): M/D/2 with
    offered load a = lambda s = 1.2 and rho = a / c = 0.6.

    M/D/c has no simple closed form; Cosmetatos' approximation (good to a few % at c = 2)
    halves the M/M/c wait and corrects it:
        Erlang C:  P(wait) = (a^2/2 * c/(c-a)) / (1 + a + a^2/2 * c/(c-a)) = 1.8 / 4.0 = 0.45
        M/M/2:     Wq = P(wait) / (c mu - lambda) = 0.45 / (2/48 - 0.025) = 27.0 s
        M/D/2:     Wq ~ Wq(M/M/2) / 2 * (1 + (1-rho)(c-1)(sqrt(4+5c) - 2) / (16 rho c))
                      = 13.5 * 1.036 = 14.0 s
    Each keyer is busy rho = 60 % of the time; Little's law holds on the logged queue.
    """
    lam, s, c = 0.05, 48.0, 2
    res = simulate(_keying_line(c, s), poisson_arrivals(lam, 40_000, seed=8), assignment=ByVolume())
    wait = res.queue_wait("keying")
    lam_nr = wait.count() / (res.t_end - res.t_start)
    a = lam_nr * s
    rho = a / c
    erlang = (a * a / 2 * c / (c - a)) / (1 + a + a * a / 2 * c / (c - a))
    wq_mm2 = erlang / (c / s - lam_nr)
    wq_md2 = wq_mm2 / 2 * (1 + (1 - rho) * (c - 1) * (np.sqrt(4 + 5 * c) - 2) / (16 * rho * c))
    assert rho == pytest.approx(0.6, rel=0.03)
    assert wait.mean() == pytest.approx(wq_md2, rel=0.08)
    busy = res.queue_busy("keying")
    assert busy.max() == c and busy.mean() / c == pytest.approx(rho, rel=0.02)
    assert res.queue_length("keying").mean() == pytest.approx(lam_nr * wait.mean(), rel=0.02)


def test_reinduction_queue_littles_law(small_arrivals):
    """Overflow re-induction is a FIFO queue of c people with a fixed time a parcel; its
    arrivals (refused parcels) come in bursts, so no closed form, but Little's law
    L = lambda W and utilisation = lambda s / c hold for any arrival process."""

    line = Line.evenly_spaced(
        12,
        num_induction=2,
        chute_capacity=4,
        bagging_operators=1,
        bag_time_s=90.0,
        max_recirculations=0,
        reinduct_overflow=True,
        reinduct_staff=2,
        reinduct_s=30.0,
    )
    res = simulate(line, small_arrivals(1500, 12, seed=2), assignment=ByVolume(), seed=2)
    assert res.summary()["parcels"]["overflow"] == 0
    wait = res.queue_wait("reinduct")
    assert wait.count() > 100 and wait.max() > 0
    span = res.t_end - res.t_start
    lam = wait.count() / span
    assert res.queue_length("reinduct").mean() == pytest.approx(lam * wait.mean(), rel=0.02)
    assert res.queue_busy("reinduct").mean() == pytest.approx(lam * 30.0, rel=0.02)
    assert res.queue_busy("reinduct").max() <= 2
