"""The stack's optional parameters and the conditions they switch: each case deploys the template
on paper (see test_template.py) and compares whole statement sets, so a statement that is added,
missing or widened fails the case that names it.
"""

from __future__ import annotations

import pytest

from stack import assert_same_statements, deploy, properties, source_template, statements
from test_template import (
    BUCKET_ARN,
    EXTERNAL_ID,
    LIST_CLOUDTRAIL,
    LIST_PUBLIC_KEYS,
    LOGS,
    MEMBERS,
    ORG,
    ORG_TRAIL,
    PUBLISH,
    READ_BUCKET_ACL,
    READ_OBJECTS,
    SEND_FAILURE,
    TOPIC_KEY,
    VENDOR,
    member_writes,
)

TRAIL_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DECRYPT_TRAIL_LOGS = {
    "Sid": "DecryptTrailLogs",
    "Effect": "Allow",
    "Action": "kms:Decrypt",
    "Resource": TRAIL_KEY,
    "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
}
DEFAULT_FUNCTION = [LOGS, READ_OBJECTS, READ_BUCKET_ACL, PUBLISH, TOPIC_KEY, SEND_FAILURE, LIST_PUBLIC_KEYS, LIST_CLOUDTRAIL]


def function_statements(stack) -> list[dict]:
    return statements(properties(stack, "FunctionRole")["Policies"][0]["PolicyDocument"])


# ---------------------------------------------------------------------- SSE-KMS trails

@pytest.mark.parametrize(
    "case,parameters,expected",
    [
        ("SSE-S3 trails (default)", {}, DEFAULT_FUNCTION),
        ("SSE-KMS trails", {"TrailKmsKeyArn": TRAIL_KEY}, [*DEFAULT_FUNCTION, DECRYPT_TRAIL_LOGS]),
    ],
    ids=["sse-s3", "sse-kms"],
)
def test_trail_key_is_usable_through_s3_only(case, parameters, expected):
    stack = deploy(MemberAccountIds=MEMBERS, **parameters)
    assert_same_statements(case, function_statements(stack), expected)


def test_trail_key_must_be_a_key_arn():
    with pytest.raises(ValueError, match="AllowedPattern for parameter TrailKmsKeyArn"):
        deploy(MemberAccountIds=MEMBERS, TrailKmsKeyArn="alias/cloudtrail")


# ---------------------------------------------------------------------- log file prefix

PREFIX = "org/cloudtrail"
ROOT = f"{PREFIX}/AWSLogs"


def prefixed_bucket_policy(members: str) -> list[dict]:
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "AWSCloudTrailAclCheckMemberAccounts",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": BUCKET_ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": members.split(",")}},
        },
        *member_writes(members.split(","), ROOT),
        {
            "Sid": "AWSCloudTrailAclCheckOrganization",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": BUCKET_ARN,
            "Condition": {"StringEquals": {"aws:SourceArn": ORG_TRAIL}},
        },
        {
            "Sid": "AWSCloudTrailWriteOrganization",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET_ARN}/{ROOT}/{ORG}/*",
            "Condition": {
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": ORG_TRAIL}
            },
        },
    ]


@pytest.mark.parametrize("mode,target", [("direct", "LambdaConfigurations"), ("sqs", "QueueConfigurations")])
def test_log_file_prefix_moves_every_grant_and_the_trigger(mode, target):
    stack = deploy(
        MemberAccountIds=MEMBERS,
        OrganizationId=ORG,
        OrganizationTrailArn=ORG_TRAIL,
        LogFilePrefix=PREFIX,
        InvocationMode=mode,
        VendorAccountId=VENDOR,
        VendorExternalId=EXTERNAL_ID,
    )
    (notification,) = properties(stack, "TrailBucket")["NotificationConfiguration"][target]
    assert notification["Filter"] == {
        "S3Key": {"Rules": [{"Name": "prefix", "Value": f"{ROOT}/"}, {"Name": "suffix", "Value": ".json.gz"}]}
    }, f"{mode}: notified only under the prefix"
    bucket_policy = statements(properties(stack, "TrailBucketPolicy")["PolicyDocument"])
    assert_same_statements("prefixed bucket policy", bucket_policy, prefixed_bucket_policy(MEMBERS))
    read = next(s for s in function_statements(stack) if s["Sid"] == "ReadDeliveredObjects")
    assert read == {**READ_OBJECTS, "Resource": f"{BUCKET_ARN}/{ROOT}/*"}, "function reads under the prefix only"
    listing = next(s for s in function_statements(stack) if s["Sid"] == "ListCloudTrailFolders")
    assert listing == {
        **LIST_CLOUDTRAIL,
        "Condition": {"StringLike": {"s3:prefix": [f"{ROOT}/*/CloudTrail/*", f"{ROOT}/*/CloudTrail-Digest/*"]}},
    }, "the function lists CloudTrail's folders under the prefix only"
    vendor = properties(stack, "VendorReadRole")["Policies"][0]["PolicyDocument"]
    assert_same_statements(
        "prefixed vendor permissions",
        statements(vendor),
        [
            {"Sid": "ReadLogs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/{ROOT}/*"},
            {
                "Sid": "ListLogs",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET_ARN,
                "Condition": {"StringLike": {"s3:prefix": f"{ROOT}/*"}},
            },
        ],
    )


@pytest.mark.parametrize("prefix", ["/org", "org/", "org//trails", "org trails"])
def test_log_file_prefix_is_folder_names_between_slashes(prefix):
    with pytest.raises(ValueError, match="AllowedPattern for parameter LogFilePrefix"):
        deploy(MemberAccountIds=MEMBERS, LogFilePrefix=prefix)


# ---------------------------------------------------------------------- defaults that agree

MIB = 1 << 20


def test_default_memory_holds_the_default_compressed_limit():
    # docs/lambda.md: memory for the largest compressed object, at least the limit plus 64 MiB.
    parameters = source_template()["Parameters"]
    memory_mib = int(parameters["FunctionMemorySize"]["Default"])
    compressed = int(parameters["MaxCompressedBytes"]["Default"])
    assert memory_mib * MIB >= compressed + 64 * MIB, (
        f"{memory_mib} MB cannot hold a {compressed}-byte object plus 64 MiB"
    )
    variables = properties(deploy(MemberAccountIds=MEMBERS), "Function")["Environment"]["Variables"]
    assert variables["TRAILWATCH_MAX_COMPRESSED_BYTES"] == str(compressed), "the stack sets its limit"


def test_max_alert_record_bytes_reaches_the_function():
    variables = properties(deploy(MemberAccountIds=MEMBERS, MaxAlertRecordBytes="32768"), "Function")
    assert variables["Environment"]["Variables"]["TRAILWATCH_MAX_ALERT_RECORD_BYTES"] == "32768"
    default = properties(deploy(MemberAccountIds=MEMBERS), "Function")["Environment"]["Variables"]
    assert "TRAILWATCH_MAX_ALERT_RECORD_BYTES" not in default, "empty keeps the function's default"


# ---------------------------------------------------------------------- FIFO topic

def test_fifo_topic_is_named_for_the_function_to_recognise():
    stack = deploy(MemberAccountIds=MEMBERS, FifoTopic="true")
    topic = properties(stack, "AlertTopic")
    assert topic["FifoTopic"] is True and topic["TopicName"] == "trailwatch-alerts.fifo", topic
    standard = properties(deploy(MemberAccountIds=MEMBERS), "AlertTopic")
    assert "FifoTopic" not in standard and "TopicName" not in standard, "standard topic by default"


@pytest.mark.parametrize("email", ["SecurityTeamEmail", "OnCallEmail"])
def test_fifo_topic_refuses_email_subscriptions(email):
    with pytest.raises(ValueError, match="rule FifoTopicHasNoEmail fails"):
        deploy(MemberAccountIds=MEMBERS, FifoTopic="true", **{email: "team@example.com"})


# ---------------------------------------------------------------------- backfill

def test_backfill_role_invokes_the_function_and_touches_only_its_folder():
    stack = deploy(MemberAccountIds=MEMBERS, BackfillBucketName="example-ops", BackfillPrefix="replays")
    role = properties(stack, "BackfillRole")
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "batchoperations.s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ], "only S3 Batch Operations assumes it"
    assert "ManagedPolicyArns" not in role and len(role["Policies"]) == 1, "one inline policy"
    assert_same_statements(
        "backfill permissions",
        statements(role["Policies"][0]["PolicyDocument"]),
        [
            {"Sid": "InvokeFunction", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "Function.Arn"},
            {
                "Sid": "ReadManifests",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": "arn:aws:s3:::example-ops/replays/*",
            },
            {
                "Sid": "WriteReports",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::example-ops/replays/reports/*",
            },
        ],
    )
    assert "BackfillRole" not in deploy(MemberAccountIds=MEMBERS)["Resources"], "no bucket, no role"
