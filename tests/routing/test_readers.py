"""Benchmark readers on small copies of the three VRPSPD sets, LKH tours and bks.csv."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from routing.check import check
from routing.readers import (
    BenchmarkInstance,
    ReaderError,
    plan_from_sequences,
    read_bks,
    read_instance,
    read_lkh_tour,
    real_cost,
)

DATA = Path(__file__).parents[1] / "data" / "vrpspd"


@pytest.fixture(scope="module")
def sca() -> BenchmarkInstance:
    return read_instance(DATA / "SCA3-0.vrpspd")


@pytest.fixture(scope="module")
def cmt6() -> BenchmarkInstance:
    return read_instance(DATA / "CMT6X.vrpspd")


@pytest.fixture(scope="module")
def r101() -> BenchmarkInstance:
    return read_instance(DATA / "r101.vrpspd")


def test_dethloff(sca: BenchmarkInstance) -> None:
    p = sca.problem
    assert (sca.name, sca.set, sca.scale, sca.coords) == ("SCA3-0", "dethloff", 10_000, None)
    assert sca.n_customers == 50 and len(p.locations) == 51
    assert sca.capacity == 8236853 and p.vehicle_types[0].capacity == (8236853,)
    assert sca.vehicles == 4 and p.vehicle_types[0].count == 8  # free fleet: 2 x VEHICLES
    # Column 6 is the pickup, column 7 the delivery: "2 0 0 10000000 0 18448 11010".
    v2 = p.village("2")
    assert (v2.pickup, v2.delivery) == ((18448,), (11010,))
    assert p.distance("1", "2") == 154923 and p.duration("1", "2") == 154923
    assert sca.max_route_length is None and v2.service_s == 0


def test_salhi_nagy_route_length(cmt6: BenchmarkInstance) -> None:
    p = cmt6.problem
    assert (cmt6.set, cmt6.scale, cmt6.n_customers, cmt6.capacity) == (
        "salhi_nagy",
        1000,
        50,
        16000,
    )
    van = p.vehicle_types[0]
    assert cmt6.max_route_length == 200 and van.max_duration_s == 200_000
    assert all(v.service_s == 10_000 for v in p.villages)
    # node 1 (30, 40), node 2 (37, 52): euclid = sqrt(193)
    e = math.sqrt(193)
    assert p.distance("1", "2") == math.floor(1000 * e + 0.5)
    assert p.duration("1", "2") == math.ceil(1000 * e)  # never below the real length
    assert (p.duration_s >= p.distance_m).all()
    assert (p.village("3").pickup, p.village("3").delivery) == ((0,), (3000,))


def test_montane_galvao(r101: BenchmarkInstance) -> None:
    assert (r101.set, r101.scale, r101.n_customers, r101.capacity, r101.vehicles) == (
        "montane_galvao",
        1000,
        100,
        200,
        12,
    )
    assert r101.max_route_length is None
    assert r101.coords is not None and r101.coords.shape == (101, 2)


def test_fleet_options() -> None:
    assert read_instance(DATA / "SCA3-0.vrpspd", fleet="file").problem.vehicle_types[0].count == 4
    assert read_instance(DATA / "SCA3-0.vrpspd", fleet=6).problem.vehicle_types[0].count == 6
    with pytest.raises(ReaderError):
        read_instance(DATA / "SCA3-0.vrpspd", fleet="many")


@pytest.mark.parametrize(
    ("instance", "tour", "bks"),
    [("SCA3-0", "SCA3-0.6356198.tour", 635.62), ("r101", "r101.1009946.tour", 1009.95)],
)
def test_lkh_tour_reproduces_its_cost_and_passes(instance: str, tour: str, bks: float) -> None:
    inst = read_instance(DATA / f"{instance}.vrpspd", fleet="file")
    plan = read_lkh_tour(DATA / tour, inst)
    assert check(plan, inst.problem) == []
    assert plan.distance_m == plan.meta["file_cost"]  # exact integer cost
    assert plan.cost == pytest.approx(plan.meta["file_cost"] / inst.scale)
    assert real_cost(inst, plan) == pytest.approx(bks, abs=0.01)
    assert len(plan.routes) <= inst.vehicles and not plan.unserved


def test_swapped_columns_would_break_the_lkh_tour(tmp_path: Path) -> None:
    """The reader's column order matters: with pickup and delivery swapped, the LKH tour
    overloads a van (so the test above is not vacuous)."""
    text = (DATA / "SCA3-0.vrpspd").read_text().splitlines()
    start = text.index("PICKUP_AND_DELIVERY_SECTION")
    for k in range(start + 1, start + 52):
        f = text[k].split()
        f[5], f[6] = f[6], f[5]
        text[k] = " ".join(f)
    swapped = tmp_path / "SCA3-0.vrpspd"
    swapped.write_text("\n".join(text))
    inst = read_instance(swapped, fleet="file")
    plan = read_lkh_tour(DATA / "SCA3-0.6356198.tour", inst)
    assert "capacity" in {v.kind for v in check(plan, inst.problem)}


def test_real_cost_uses_unrounded_euclid(cmt6: BenchmarkInstance) -> None:
    plan = plan_from_sequences(cmt6.problem, [["2"]])
    assert real_cost(cmt6, plan) == pytest.approx(2 * math.sqrt(193))
    assert plan.cost == pytest.approx(2 * math.floor(1000 * math.sqrt(193) + 0.5) / 1000)
    # one village served, the 49 others neither served nor listed unserved
    assert {v.kind for v in check(plan, cmt6.problem)} == {"missing_village"}


def test_route_length_limit_binds(cmt6: BenchmarkInstance) -> None:
    everyone = [[v.id for v in cmt6.problem.villages]]
    plan = plan_from_sequences(cmt6.problem, everyone)
    assert "max_duration" in {v.kind for v in check(plan, cmt6.problem)}


def test_read_bks() -> None:
    bks = read_bks(DATA / "bks.csv")
    assert bks == {"SCA3-0": 635.62, "CMT6X": 555.43, "r101": 1009.95}


def test_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrpspd"
    bad.write_text(
        "NAME : bad\nDIMENSION : 3\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EXACT_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\nPICKUP_AND_DELIVERY_SECTION\n"
        "1 0 0 10 0 0 0\n2 0 0 10 0 1 1\nEOF\n"
    )
    with pytest.raises(ReaderError, match="PICKUP_AND_DELIVERY_SECTION must have 3 lines"):
        read_instance(bad)
