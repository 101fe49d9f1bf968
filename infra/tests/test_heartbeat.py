"""The integrity heartbeat: an EventBridge Scheduler schedule that invokes the function every hour
with the heartbeat event, its role, and where a failed run ends up (the failure queue, in either
invocation mode). Each case deploys the template on paper (see test_template.py).
"""

from __future__ import annotations

import json

import pytest

from stack import ACCOUNT, BUCKET, assert_same_statements, deploy, properties, statements
from test_template import MEMBERS, ORG, ORG_TRAIL, SEND_FAILURE

ORGANISATION = {"OrganizationId": ORG, "OrganizationTrailArn": ORG_TRAIL}
HEARTBEAT_IDS = "333333333333,444444444444,555555555555"


def schedule_input(stack) -> dict:
    raw = properties(stack, "HeartbeatSchedule")["Target"]["Input"]
    return json.loads(raw)


def function_statements(stack) -> list[dict]:
    return statements(properties(stack, "FunctionRole")["Policies"][0]["PolicyDocument"])


# ---------------------------------------------------------------------- the schedule

def test_schedule_invokes_the_function_hourly_with_retries_and_the_failure_queue():
    schedule = properties(deploy(MemberAccountIds=MEMBERS), "HeartbeatSchedule")
    target = schedule.pop("Target")
    assert schedule == {
        "Description": "trailwatch - hourly check that every account and Region still delivers CloudTrail digests.",
        "ScheduleExpression": "rate(1 hour)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
    }, "hourly, at a fixed time, enabled"
    target.pop("Input")
    assert target == {
        "Arn": "Function.Arn",
        "RoleArn": "HeartbeatScheduleRole.Arn",
        "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": "FailureQueue.Arn"},
    }, "the function, with its own role, retried within the hour, then the failure queue"


def test_the_failure_queue_can_be_the_schedules_dead_letter_queue():
    # Scheduler takes a standard queue only (no FIFO) as the dead-letter queue.
    queue = properties(deploy(MemberAccountIds=MEMBERS), "FailureQueue")
    assert "FifoQueue" not in queue and "KmsMasterKeyId" not in queue, queue


# (case, parameters, the heartbeat event the schedule sends)
INPUTS = [
    (
        "member accounts: TRAILWATCH_EXPECTED_ACCOUNTS, own folders",
        {"MemberAccountIds": MEMBERS},
        {"trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "", "org_id": None},
    ),
    (
        "members with a log file prefix",
        {"MemberAccountIds": MEMBERS, "LogFilePrefix": "org/cloud-trail_(x)'s.*!"},
        {"trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "org/cloud-trail_(x)'s.*!", "org_id": None},
    ),
    (
        "members and their own heartbeat list",
        {"MemberAccountIds": MEMBERS, "HeartbeatAccountIds": "333333333333"},
        {"trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "", "org_id": None, "accounts": ["333333333333"]},
    ),
    (
        "organisation and its accounts",
        {**ORGANISATION, "HeartbeatAccountIds": HEARTBEAT_IDS, "LogFilePrefix": "trails"},
        {
            "trailwatch": "heartbeat",
            "bucket": BUCKET,
            "prefix": "trails",
            "org_id": ORG,
            "accounts": HEARTBEAT_IDS.split(","),
        },
    ),
    (
        "members and organisation, no heartbeat list: the members' own folders",
        {"MemberAccountIds": MEMBERS, **ORGANISATION},
        {"trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "", "org_id": None},
    ),
]


@pytest.mark.parametrize("case,parameters,expected", INPUTS, ids=[c[0] for c in INPUTS])
def test_schedule_sends_the_heartbeat_event(case, parameters, expected):
    assert schedule_input(deploy(**parameters)) == expected, case


def test_heartbeat_list_takes_any_number_of_accounts():
    ids = [f"{n:012d}" for n in range(1, 31)]  # more than MemberAccountIds' 20
    sent = schedule_input(deploy(**ORGANISATION, HeartbeatAccountIds=",".join(ids)))
    assert sent["accounts"] == ids


# ---------------------------------------------------------------------- when there is none

HEARTBEAT_RESOURCES = {"HeartbeatSchedule", "HeartbeatScheduleRole"}
NO_HEARTBEAT = [
    ("switched off", {"MemberAccountIds": MEMBERS, "Heartbeat": "false"}),
    ("switched off, with its own list", {"MemberAccountIds": MEMBERS, "HeartbeatAccountIds": "333333333333", "Heartbeat": "false"}),
    ("no account to check (organisation only)", ORGANISATION),
]


@pytest.mark.parametrize("case,parameters", NO_HEARTBEAT, ids=[c[0] for c in NO_HEARTBEAT])
@pytest.mark.parametrize("mode", ["direct", "sqs"])
def test_no_schedule_without_accounts_or_when_switched_off(case, parameters, mode):
    stack = deploy(InvocationMode=mode, **parameters)
    present = HEARTBEAT_RESOURCES & set(stack["Resources"])
    assert not present, f"{case}, {mode}: {sorted(present)}"
    assert not stack.get_resources_of_type("AWS::Scheduler::Schedule"), f"{case}, {mode}: a schedule"
    # Then only the bucket invokes the function asynchronously, in direct mode alone.
    assert ("FunctionAsyncConfig" in stack["Resources"]) == (mode == "direct"), f"{case}, {mode}"
    sends = [s for s in function_statements(stack) if s["Sid"] == "SendToFailureQueue"]
    assert bool(sends) == (mode == "direct"), f"{case}, {mode}: SendToFailureQueue"


@pytest.mark.parametrize(
    "parameters",
    [{"MemberAccountIds": MEMBERS}, {**ORGANISATION, "HeartbeatAccountIds": "333333333333"}],
    ids=["members", "organisation-with-list"],
)
def test_schedule_exists_with_an_account_list(parameters):
    stack = deploy(**parameters)
    assert HEARTBEAT_RESOURCES <= set(stack["Resources"]), sorted(stack["Resources"])


# ---------------------------------------------------------------------- its role

def test_schedule_role_only_invokes_the_function_and_dead_letters():
    stack = deploy(MemberAccountIds=MEMBERS)
    role = properties(stack, "HeartbeatScheduleRole")
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ], "only EventBridge Scheduler, for schedules of this account"
    assert "ManagedPolicyArns" not in role and len(role["Policies"]) == 1, "one inline policy"
    assert_same_statements(
        "schedule role",
        statements(role["Policies"][0]["PolicyDocument"]),
        [
            {"Sid": "InvokeFunction", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "Function.Arn"},
            {
                "Sid": "DeadLetterToFailureQueue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": "FailureQueue.Arn",
            },
        ],
    )


# ---------------------------------------------------------------------- failed runs

@pytest.mark.parametrize("mode", ["direct", "sqs"])
def test_failed_heartbeat_runs_reach_the_failure_queue_in_both_modes(mode):
    # Scheduler invokes asynchronously: the run's failures are Lambda's to retry and then send
    # to the on-failure destination, which must exist in sqs mode too.
    stack = deploy(MemberAccountIds=MEMBERS, InvocationMode=mode, MaximumRetryAttempts="1")
    assert properties(stack, "FunctionAsyncConfig") == {
        "FunctionName": "Function",
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": "1",
        "MaximumEventAgeInSeconds": "21600",
        "DestinationConfig": {"OnFailure": {"Destination": "FailureQueue.Arn"}},
    }, f"{mode}: retries and the on-failure destination"
    sends = [s for s in function_statements(stack) if s["Sid"] == "SendToFailureQueue"]
    assert sends == [SEND_FAILURE], f"{mode}: Lambda sends the failed run with the function's role"
    assert properties(stack, "HeartbeatSchedule")["Target"]["DeadLetterConfig"] == {"Arn": "FailureQueue.Arn"}
    if mode == "sqs":
        # The bucket still notifies the buffer queue only; nothing else changes in this mode.
        assert "FunctionS3InvokePermission" not in stack["Resources"], "sqs mode: the bucket does not invoke"
        assert "BufferQueueMapping" in stack["Resources"]


# ---------------------------------------------------------------------- parameters

@pytest.mark.parametrize(
    "parameters,reason",
    [
        ({"HeartbeatAccountIds": "333333333333, 444444444444"}, "AllowedPattern for parameter HeartbeatAccountIds"),
        ({"HeartbeatAccountIds": "33333333333"}, "AllowedPattern for parameter HeartbeatAccountIds"),
        ({"HeartbeatAccountIds": "333333333333,"}, "AllowedPattern for parameter HeartbeatAccountIds"),
        ({"Heartbeat": "yes"}, "not in allowed values for parameter Heartbeat"),
    ],
    ids=["space", "eleven-digits", "trailing-comma", "not-a-boolean"],
)
def test_heartbeat_parameters_are_checked(parameters, reason):
    with pytest.raises(ValueError, match=reason):
        deploy(MemberAccountIds=MEMBERS, **parameters)
