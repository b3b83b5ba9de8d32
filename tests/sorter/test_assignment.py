import pytest

from sorter import (
    ASSIGNMENTS,
    ByRound,
    ByTownship,
    ByVolume,
    ChuteAssignment,
    LineError,
    Random,
    VillageInfo,
    simulate,
    travel_from_inducts_m,
)

VILLAGES = [
    VillageInfo(f"V{k:03d}", township=f"T{k % 3}", volume=float(k + 1), round_group=f"R{k % 4}")
    for k in range(12)
]


def _order(line, mapping):
    """Village ids in chute loop order (downstream of the scanner)."""
    pos = {c.id: (c.position_m - line.scanner_position_m) % line.length_m for c in line.chutes}
    return sorted(mapping, key=lambda v: (pos[mapping[v]], mapping[v]))


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_registry_policies_map_every_village_to_a_distinct_village_chute(small_line, name):
    line = small_line()
    policy = ASSIGNMENTS[name]()
    assert isinstance(policy, ChuteAssignment)
    m = policy.assign(VILLAGES, line)
    assert set(m) == {v.id for v in VILLAGES}
    assert set(m.values()) <= {c.id for c in line.village_chutes}
    assert len(set(m.values())) == len(VILLAGES)  # 12 villages, 12 chutes


def test_by_round_puts_groups_side_by_side(small_line):
    line = small_line()
    order = _order(line, ByRound().assign(VILLAGES, line))
    groups = [int(v[1:]) % 4 for v in order]
    # each group appears as one contiguous run
    runs = [g for k, g in enumerate(groups) if k == 0 or groups[k - 1] != g]
    assert len(runs) == 4


def test_by_township_puts_townships_side_by_side(small_line):
    line = small_line()
    order = _order(line, ByTownship().assign(VILLAGES, line))
    towns = [int(v[1:]) % 3 for v in order]
    runs = [g for k, g in enumerate(towns) if k == 0 or towns[k - 1] != g]
    assert len(runs) == 3


def test_by_volume_busiest_nearest(small_line):
    line = small_line()
    m = ByVolume().assign(VILLAGES, line)
    travel = travel_from_inducts_m(line)
    busiest = max(VILLAGES, key=lambda v: v.volume).id
    quietest = min(VILLAGES, key=lambda v: v.volume).id
    assert travel[m[busiest]] == min(travel.values())
    assert travel[m[busiest]] < travel[m[quietest]]


def test_random_is_seeded(small_line):
    line = small_line()
    assert Random(1).assign(VILLAGES, line) == Random(1).assign(VILLAGES, line)
    assert Random(1).assign(VILLAGES, line) != Random(2).assign(VILLAGES, line)


def test_more_villages_than_chutes_share_chutes(small_line):
    line = small_line()
    many = [VillageInfo(f"X{k}", volume=1.0) for k in range(30)]
    m = ByVolume().assign(many, line)
    assert len(m) == 30 and len(set(m.values())) == 12
    # the quietest villages share, with each other, on the chutes farthest from the inducts
    sized = [VillageInfo(f"Y{k:02d}", volume=100.0 - k) for k in range(16)]
    m = ByVolume().assign(sized, line)
    users: dict[str, list[str]] = {}
    for v, c in m.items():
        users.setdefault(c, []).append(v)
    shared = sorted(sorted(vs) for vs in users.values() if len(vs) > 1)
    assert shared == [["Y08", "Y15"], ["Y09", "Y14"], ["Y10", "Y13"], ["Y11", "Y12"]]


def test_custom_policy_and_mapping_accepted_and_checked(small_arrivals, small_line):
    line = small_line()
    arr = small_arrivals(60)

    class AllOnFirst:
        def assign(self, villages, line):
            return {v.id: line.village_chutes[0].id for v in villages}

    res = simulate(line, arr, assignment=AllOnFirst(), seed=0)
    used = {res.chute_ids[c] for c in res.chute[res.outcome == 1]}
    assert used <= {line.village_chutes[0].id, "MAN"}
    with pytest.raises(LineError, match="has no chute"):
        simulate(line, arr, assignment={"V000": "C001"}, seed=0)
    bad = {v: "NR" for v in arr.villages}
    with pytest.raises(LineError, match="not a village chute"):
        simulate(line, arr, assignment=bad, seed=0)
