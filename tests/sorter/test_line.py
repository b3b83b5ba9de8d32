import math

import pytest

from sorter import Chute, InductionStation, Line, LineError


def test_evenly_spaced_geometry():
    line = Line.evenly_spaced(214)
    assert len(line.village_chutes) == 214
    assert math.isclose(line.carriers_per_h, 2.5 * 3600 / 0.67)
    assert line.length_m == line.carriers * line.pitch_m
    # every chute lies after the scanner and before the induction zone wraps around
    for c in line.chutes:
        assert line.scanner_position_m < c.position_m < line.length_m
    assert {c.kind for c in line.chutes} == {
        "village",
        "no_read",
        "exception",
        "overflow",
        "manual",
    }


def test_replace_validates(small_line):
    line = small_line()
    assert line.replace(chute_capacity=5).chute_capacity == 5
    with pytest.raises(LineError, match="chute_capacity"):
        line.replace(chute_capacity=0)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("carriers", 1, "Line.carriers = 1"),
        ("pitch_m", -0.5, "Line.pitch_m = -0.5"),
        ("speed_mps", float("nan"), "Line.speed_mps"),
        ("fill_threshold", 1.5, "Line.fill_threshold = 1.5"),
        ("no_read_prob", 1.0, "Line.no_read_prob = 1.0"),
        ("max_recirculations", -1, "Line.max_recirculations = -1"),
        ("bagging_operators", 0, "Line.bagging_operators = 0"),
        ("scanner_position_m", 1e6, "Line.scanner_position_m = 1000000.0"),
        ("bag_time_s", -1.0, "Line.bag_time_s = -1.0"),
        ("induction", (), "Line.induction = ()"),
        (
            "induction",
            (InductionStation("A", 0.0), InductionStation("A", 1.0)),
            r"induction\[1\].name = 'A'",
        ),
        ("induction", (InductionStation("A", 0.0, rate_per_h=0),), r"induction\[0\].rate_per_h"),
        ("chutes", (Chute("C1", 10.0),), "need exactly one"),
    ],
)
def test_bad_fields_name_field_and_value(small_line, field, value, match):
    with pytest.raises(LineError, match=match):
        small_line().replace(**{field: value})


def test_duplicate_chute_id_rejected(small_line):
    line = small_line()
    dup = (*line.chutes, Chute(line.chutes[0].id, 20.0))
    with pytest.raises(LineError, match=r"chutes\[\d+\].id"):
        line.replace(chutes=dup)


def test_line_is_frozen_and_hashable_fields(small_line):
    line = small_line()
    with pytest.raises(AttributeError):
        line.carriers = 5  # type: ignore[misc]
    assert line == small_line()
