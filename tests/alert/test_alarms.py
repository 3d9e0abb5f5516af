"""Alarms move between OK, ALARM and INSUFFICIENT_DATA as CloudWatch's do, period by period."""

from __future__ import annotations

from vpcflow.alert.alarms import ALARM, INSUFFICIENT_DATA, OK, AlarmState, Series
from vpcflow.alert.rules import Alarm

HOUR = 3600


def alarm(**kw) -> Alarm:
    base = dict(name="a", metric="m", statistic="Sum", period=HOUR, threshold=10,
                comparison="GreaterThanOrEqualToThreshold", evaluation_periods=1, datapoints_to_alarm=1)
    return Alarm(**{**base, **kw})


def series(values_by_period: dict[int, list[float]], period=HOUR, default=None, seen=()) -> Series:
    s = Series(period, default)
    for index, values in values_by_period.items():
        for v in values:
            s.add(index * period, v)
    for index in seen:
        s.saw(index * period)
    return s


def test_sum_reaching_the_threshold_alarms():
    state = AlarmState(alarm())
    change = state.evaluate(series({0: [1] * 10}), HOUR)
    assert (change.previous, change.state) == (INSUFFICIENT_DATA, ALARM)


def test_sum_below_the_threshold_is_ok():
    assert AlarmState(alarm()).evaluate(series({0: [1] * 9}), HOUR).state == OK


def test_no_change_of_state_reports_nothing():
    state = AlarmState(alarm(), OK)
    assert state.evaluate(series({0: [1]}), HOUR) is None


def test_m_out_of_n_needs_m_breaching_periods():
    a = alarm(evaluation_periods=3, datapoints_to_alarm=2)
    s = series({0: [20], 1: [1], 2: [1]})
    assert AlarmState(a).evaluate(s, 3 * HOUR).state == OK
    s = series({0: [20], 1: [1], 2: [20]})
    assert AlarmState(a).evaluate(s, 3 * HOUR).state == ALARM


def test_all_missing_with_missing_treatment_is_insufficient_data():
    assert AlarmState(alarm(), OK).evaluate(series({}), HOUR).state == INSUFFICIENT_DATA


def test_all_missing_with_ignore_keeps_the_state():
    assert AlarmState(alarm(treat_missing_data="ignore"), ALARM).evaluate(series({}), HOUR) is None


def test_missing_treated_as_breaching_alarms():
    assert AlarmState(alarm(treat_missing_data="breaching")).evaluate(series({}), HOUR).state == ALARM


def test_missing_treated_as_not_breaching_is_ok():
    assert AlarmState(alarm(treat_missing_data="notBreaching")).evaluate(series({}), HOUR).state == OK


def test_default_value_fills_a_period_that_had_records_but_no_match():
    s = series({}, default=0, seen=[0])
    assert AlarmState(alarm()).evaluate(s, HOUR).state == OK
    assert s.datapoint(0, "Sum") == 0


def test_statistics_over_one_period():
    s = series({0: [1, 5, 3]})
    assert [s.datapoint(0, st) for st in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")] == \
        [3, 9, 3, 1, 5]


def test_less_than_comparison_alarms_on_low_values():
    a = alarm(comparison="LessThanThreshold", threshold=2, statistic="SampleCount")
    assert AlarmState(a).evaluate(series({0: [7]}), HOUR).state == ALARM


def test_reason_lists_the_datapoints():
    change = AlarmState(alarm(evaluation_periods=2)).evaluate(series({1: [12]}), 2 * HOUR)
    assert change.reason.startswith("1 of the last 2 datapoints [-, 12] >= 10")
