"""The dashboard and alarms on the function's own metrics: what each watches, how it treats
missing data, the parameters that tune and switch them, and that every metric they name is one
the function writes - the README's table of metrics, which a Rust test holds the code to
(src/metrics/tests.rs), so neither side can drift from the other.
"""

from __future__ import annotations

import json
import re

import pytest

from stack import TEMPLATE, deploy, properties
from test_template import MEMBERS

OPS = "arn:aws:sns:eu-west-1:123456789012:ops"
METRIC_ALARMS = {"NoObjectsProcessedAlarm", "DeliveryOrIntegrityAlertsAlarm", "AlertLatencyHighAlarm"}


def documented_metrics() -> dict[str, str]:
    """Name -> unit, from the `### Metrics` table of the top-level README."""
    readme = (TEMPLATE.parent.parent / "README.md").read_text()
    section = readme.split("\n### Metrics\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([A-Za-z]+)` \| ([A-Za-z]+) \|", section, flags=re.MULTILINE)
    assert rows, "README.md: no metrics table"
    return dict(rows)


def alarm_metrics(alarm: dict) -> list[tuple[str, str]]:
    """(namespace, metric name) of every metric an alarm reads, metric math included."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"])]
    return [
        (q["MetricStat"]["Metric"]["Namespace"], q["MetricStat"]["Metric"]["MetricName"])
        for q in alarm["Metrics"]
        if "MetricStat" in q
    ]


def dashboard_metrics(body: dict) -> list[tuple[str, str]]:
    """(namespace, metric name) of every metric a dashboard widget names, and of SEARCH queries."""
    named = []
    for widget in body["widgets"]:
        for line in widget["properties"]["metrics"]:
            if isinstance(line[0], dict):
                search = re.fullmatch(r"SEARCH\('\{(\w+),\w+\} MetricName=\"(\w+)\"'.*\)", line[0]["expression"])
                assert search, f"unexpected expression {line[0]}"
                named.append((search[1], search[2]))
            else:
                named.append((line[0], line[1]))
    return named


def test_alarms_watch_the_functions_metrics_and_notify_the_alarm_topic():
    stack = deploy(MemberAccountIds=MEMBERS, AlarmTopicArn=OPS)
    none = properties(stack, "NoObjectsProcessedAlarm")
    # Parameters reach the properties as strings, as CloudFormation hands them over.
    assert (none["Statistic"], int(none["Period"]), none["EvaluationPeriods"]) == ("Sum", 3600, 1)
    assert (none["ComparisonOperator"], none["Threshold"]) == ("LessThanThreshold", 1)
    assert none["TreatMissingData"] == "breaching", "silence is what it watches for"
    assert "Dimensions" not in none, "the totals"

    alerts = properties(stack, "DeliveryOrIntegrityAlertsAlarm")
    assert sorted(alarm_metrics(alerts)) == [("trailwatch", "DeliveryAlerts"), ("trailwatch", "IntegrityAlerts")]
    returned = [q for q in alerts["Metrics"] if q.get("ReturnData", True)]
    assert [q["Expression"] for q in returned] == ["FILL(delivery, 0) + FILL(integrity, 0)"]
    assert (alerts["ComparisonOperator"], alerts["Threshold"]) == ("GreaterThanThreshold", 0)
    assert alerts["TreatMissingData"] == "notBreaching"

    latency = properties(stack, "AlertLatencyHighAlarm")
    assert (latency["MetricName"], latency["ExtendedStatistic"], latency["Period"]) == ("AlertLatency", "p99", 300)
    assert (latency["ComparisonOperator"], float(latency["Threshold"])) == ("GreaterThanThreshold", 300000.0)
    assert latency["TreatMissingData"] == "notBreaching"

    for name in METRIC_ALARMS:
        alarm = properties(stack, name)
        assert alarm["AlarmActions"] == [OPS] and alarm["OKActions"] == [OPS], f"{name}: actions"


def test_the_alarms_parameters_tune_them():
    stack = deploy(MemberAccountIds=MEMBERS, NoObjectsAlarmPeriodSeconds="900", AlertLatencyThresholdMs="60000")
    assert int(properties(stack, "NoObjectsProcessedAlarm")["Period"]) == 900
    assert float(properties(stack, "AlertLatencyHighAlarm")["Threshold"]) == 60000.0
    for name in METRIC_ALARMS:
        assert "AlarmActions" not in properties(stack, name), f"{name}: no alarm topic, no action"


# A period outside NoObjectsAlarmPeriodSeconds' AllowedValues is not among these: cloud-radar
# ignores AllowedValues on a Number parameter (cloud_radar_gaps.py); cfn-lint checks the default.
@pytest.mark.parametrize(
    "parameters,reason",
    [
        ({"AlertLatencyThresholdMs": "10"}, "AlertLatencyThresholdMs"),
        ({"MetricAlarms": "yes"}, "MetricAlarms"),
        ({"MetricsDashboard": "no"}, "MetricsDashboard"),
    ],
    ids=["threshold-too-low", "alarms-not-a-boolean", "dashboard-not-a-boolean"],
)
def test_bad_metric_parameters_are_rejected(parameters, reason):
    with pytest.raises(ValueError, match=reason):
        deploy(MemberAccountIds=MEMBERS, **parameters)


@pytest.mark.parametrize(
    "parameters,present",
    [
        ({}, {"Dashboard", *METRIC_ALARMS}),
        ({"MetricsDashboard": "false"}, METRIC_ALARMS),
        ({"MetricAlarms": "false"}, {"Dashboard"}),
        ({"MetricsDashboard": "false", "MetricAlarms": "false"}, set()),
    ],
    ids=["default", "no-dashboard", "no-alarms", "neither"],
)
def test_dashboard_and_alarms_are_optional(parameters, present):
    stack = deploy(MemberAccountIds=MEMBERS, **parameters)
    created = set(stack["Resources"]) & {"Dashboard", *METRIC_ALARMS}
    assert created == present
    # The stack's other alarms stay whatever these say.
    assert {"FailureQueueDepthAlarm", "FunctionErrorsAlarm", "FunctionThrottlesAlarm"} <= set(stack["Resources"])


def test_the_dashboard_shows_what_an_operator_needs():
    stack = deploy(MemberAccountIds=MEMBERS, AlertLatencyThresholdMs="60000")
    body = json.loads(properties(stack, "Dashboard")["DashboardBody"])
    named = dashboard_metrics(body)
    ours = {name for namespace, name in named if namespace == "trailwatch"}
    assert ours == set(documented_metrics()), "every metric, and only those the function writes"
    assert ("AWS/Lambda", "Errors") in named and ("AWS/Lambda", "Throttles") in named
    lambda_lines = [line for w in body["widgets"] for line in w["properties"]["metrics"] if line[0] == "AWS/Lambda"]
    assert all(line[2:] == ["FunctionName", "Function"] for line in lambda_lines), lambda_lines
    stats = {
        line[2]["stat"]
        for w in body["widgets"]
        for line in w["properties"]["metrics"]
        if line[:2] == ["trailwatch", "AlertLatency"]
    }
    assert stats == {"p50", "p99"}, "latency percentiles"
    annotations = [a for w in body["widgets"] for a in w["properties"].get("annotations", {}).get("horizontal", [])]
    assert [a["value"] for a in annotations] == [60000], "the latency alarm's threshold drawn"


def test_every_metric_named_in_the_template_is_one_the_function_writes():
    stack = deploy(MemberAccountIds=MEMBERS)
    documented = documented_metrics()
    named = [m for name in METRIC_ALARMS for m in alarm_metrics(properties(stack, name))]
    named += dashboard_metrics(json.loads(properties(stack, "Dashboard")["DashboardBody"]))
    ours = {name for namespace, name in named if namespace == "trailwatch"}
    assert ours and ours <= set(documented), f"not written by the function: {sorted(ours - set(documented))}"
    assert documented["AlertLatency"] == "Milliseconds", "the threshold parameter is in milliseconds"
