"""What the stack in infra/template.yaml would grant and wire, deployment shape by shape.

Each test deploys the template on paper: the SAM transform that `sam deploy` runs (with the code
location replaced by an S3 URI, as `sam package` does), then CloudFormation's evaluation of the
intrinsic functions for the case's parameters, parameter constraints and template Rules
(cloud-radar, corrected where it departs from CloudFormation in cloud_radar_gaps). What is known
only after deployment reads as cloud-radar renders it: `AlertTopic` for a resource's Ref,
`FunctionRole.Arn` for its Fn::GetAtt. Assertions compare whole policy statements - actions,
resources, conditions - as unordered sets, so an added, missing or widened statement fails the
case that names it.
"""

from __future__ import annotations

import re

import pytest

from stack import ACCOUNT, BUCKET, TEMPLATE, assert_same_statements, deploy, properties, source_template, statements

BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
MEMBERS = "111111111111,222222222222"
ORG = "o-a1b2c3d4e5"
ORG_TRAIL = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org-trail"
RULES_URI = "s3://example-config-bucket/trailwatch/rules.toml"
VENDOR = "555555555555"
EXTERNAL_ID = "vendor-issued-7f3a"


# ---------------------------------------------------------------------- expected statements

DENY_INSECURE = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
CLOUDTRAIL = {"Service": "cloudtrail.amazonaws.com"}
MEMBER_ACL_CHECK = {
    "Sid": "AWSCloudTrailAclCheckMemberAccounts",
    "Effect": "Allow",
    "Principal": CLOUDTRAIL,
    "Action": "s3:GetBucketAcl",
    "Resource": BUCKET_ARN,
    "Condition": {"StringEquals": {"aws:SourceAccount": MEMBERS.split(",")}},
}


def member_writes(members: list[str], root: str = "AWSLogs") -> list[dict]:
    """One write statement per member account, in the parameter's order: its one resource is that
    account's folder and its aws:SourceAccount condition names that account alone."""
    return [
        {
            "Sid": f"MemberWrite{n}",
            "Effect": "Allow",
            "Principal": CLOUDTRAIL,
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET_ARN}/{root}/{member}/*",
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": member,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                }
            },
        }
        for n, member in enumerate(members)
    ]


MEMBER_WRITES = member_writes(MEMBERS.split(","))
ORG_ACL_CHECK = {
    "Sid": "AWSCloudTrailAclCheckOrganization",
    "Effect": "Allow",
    "Principal": CLOUDTRAIL,
    "Action": "s3:GetBucketAcl",
    "Resource": BUCKET_ARN,
    "Condition": {"StringEquals": {"aws:SourceArn": ORG_TRAIL}},
}
ORG_WRITE = {
    "Sid": "AWSCloudTrailWriteOrganization",
    "Effect": "Allow",
    "Principal": CLOUDTRAIL,
    "Action": "s3:PutObject",
    "Resource": f"{BUCKET_ARN}/AWSLogs/{ORG}/*",
    "Condition": {
        "StringEquals": {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceArn": ORG_TRAIL,
        }
    },
}

LOGS = {
    "Sid": "WriteOwnLogs",
    "Effect": "Allow",
    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "FunctionLogGroup.Arn",
}
READ_OBJECTS = {
    "Sid": "ReadDeliveredObjects",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:GetObjectVersionAcl"],
    "Resource": f"{BUCKET_ARN}/AWSLogs/*",
}
READ_BUCKET_ACL = {
    "Sid": "ReadBucketAcl",
    "Effect": "Allow",
    "Action": "s3:GetBucketAcl",
    "Resource": BUCKET_ARN,
}
PUBLISH = {"Sid": "PublishAlerts", "Effect": "Allow", "Action": "sns:Publish", "Resource": "AlertTopic"}
TOPIC_KEY = {
    "Sid": "UseTopicKey",
    "Effect": "Allow",
    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
    "Resource": "TopicKey.Arn",
}
SEND_FAILURE = {
    "Sid": "SendToFailureQueue",
    "Effect": "Allow",
    "Action": "sqs:SendMessage",
    "Resource": "FailureQueue.Arn",
}
CONSUME_BUFFER = {
    "Sid": "ConsumeBufferQueue",
    "Effect": "Allow",
    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    "Resource": "BufferQueue.Arn",
}
READ_RULES = {
    "Sid": "ReadRulesObject",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::example-config-bucket/trailwatch/rules.toml",
}
# Integrity: the key lookup when no key file is configured, and the heartbeat's listing of the
# digest folders (nothing else of the bucket may be listed).
LIST_PUBLIC_KEYS = {
    "Sid": "ListCloudTrailPublicKeys",
    "Effect": "Allow",
    "Action": "cloudtrail:ListPublicKeys",
    "Resource": "*",
}
LIST_CLOUDTRAIL = {
    "Sid": "ListCloudTrailFolders",
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": BUCKET_ARN,
    "Condition": {"StringLike": {"s3:prefix": ["AWSLogs/*/CloudTrail/*", "AWSLogs/*/CloudTrail-Digest/*"]}},
}

# (case, parameters, bucket policy statements or None when the stack writes none, function statements)
CASES = [
    (
        "member accounts, direct, encrypted topic (defaults)",
        {"MemberAccountIds": MEMBERS},
        [DENY_INSECURE, MEMBER_ACL_CHECK, *MEMBER_WRITES],
        [LOGS, READ_OBJECTS, READ_BUCKET_ACL, PUBLISH, TOPIC_KEY, SEND_FAILURE, LIST_PUBLIC_KEYS, LIST_CLOUDTRAIL],
    ),
    (
        "organisation trail, sqs mode, plain topic, rules object",
        {
            "OrganizationId": ORG,
            "OrganizationTrailArn": ORG_TRAIL,
            "InvocationMode": "sqs",
            "EncryptTopic": "false",
            "RulesS3Uri": RULES_URI,
        },
        [DENY_INSECURE, ORG_ACL_CHECK, ORG_WRITE],
        [LOGS, READ_OBJECTS, READ_BUCKET_ACL, PUBLISH, CONSUME_BUFFER, READ_RULES, LIST_PUBLIC_KEYS, LIST_CLOUDTRAIL],
    ),
    (
        "members and organisation, existing bucket with the policy attached",
        {
            "MemberAccountIds": MEMBERS,
            "OrganizationId": ORG,
            "OrganizationTrailArn": ORG_TRAIL,
            "CreateBucket": "false",
            "AttachPolicyToExistingBucket": "true",
        },
        [DENY_INSECURE, MEMBER_ACL_CHECK, *MEMBER_WRITES, ORG_ACL_CHECK, ORG_WRITE],
        [LOGS, READ_OBJECTS, READ_BUCKET_ACL, PUBLISH, TOPIC_KEY, SEND_FAILURE, LIST_PUBLIC_KEYS, LIST_CLOUDTRAIL],
    ),
    (
        "existing bucket, its policy left alone",
        {"MemberAccountIds": MEMBERS, "CreateBucket": "false"},
        None,
        [LOGS, READ_OBJECTS, READ_BUCKET_ACL, PUBLISH, TOPIC_KEY, SEND_FAILURE, LIST_PUBLIC_KEYS, LIST_CLOUDTRAIL],
    ),
]
CASE_IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("case,parameters,bucket_statements,_", CASES, ids=CASE_IDS)
def test_bucket_policy_has_exactly_the_delivery_statements(case, parameters, bucket_statements, _):
    stack = deploy(**parameters)
    policies = stack.get_resources_of_type("AWS::S3::BucketPolicy")
    trail_policy = policies.get("TrailBucketPolicy")
    if bucket_statements is None:
        assert trail_policy is None, f"{case}: the stack must not replace an existing bucket's policy"
        return
    assert trail_policy is not None, f"{case}: no bucket policy"
    expected_bucket = "TrailBucket" if parameters.get("CreateBucket", "true") == "true" else BUCKET
    assert trail_policy["Properties"]["Bucket"] == expected_bucket, f"{case}: policy on the wrong bucket"
    assert_same_statements(case, statements(trail_policy["Properties"]["PolicyDocument"]), bucket_statements)


@pytest.mark.parametrize("case,parameters,_,function_statements", CASES, ids=CASE_IDS)
def test_function_role_has_exactly_its_statements(case, parameters, _, function_statements):
    stack = deploy(**parameters)
    role = properties(stack, "FunctionRole")
    assert properties(stack, "Function")["Role"] == "FunctionRole.Arn", f"{case}: function role"
    assert "ManagedPolicyArns" not in role, f"{case}: managed policies widen the role"
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ], f"{case}: trust policy"
    assert len(role["Policies"]) == 1, f"{case}: one inline policy expected"
    assert_same_statements(case, statements(role["Policies"][0]["PolicyDocument"]), function_statements)


@pytest.mark.parametrize("case,parameters,_,__", CASES, ids=CASE_IDS)
def test_nothing_else_grants_permissions(case, parameters, _, __):
    stack = deploy(**parameters)
    iam = {name for name, r in stack["Resources"].items() if r["Type"].startswith("AWS::IAM::")}
    # The heartbeat's schedule role exists with member accounts to check (test_heartbeat.py).
    expected = {"FunctionRole", "HeartbeatScheduleRole"} if "MemberAccountIds" in parameters else {"FunctionRole"}
    assert iam == expected, f"{case}: IAM resources: {sorted(iam)}"


# ---------------------------------------------------------------------- the function

def test_function_runs_the_cargo_lambda_artifact():
    resource = source_template()["Resources"]["Function"]
    # `sam build` builds the workspace root with cargo-lambda: `cargo lambda build --release
    # --arm64 --bin bootstrap`, which scripts/build-lambda.sh runs too for the tests.
    assert resource["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert resource["Metadata"]["BuildProperties"] == {"Binary": "bootstrap"}
    source = resource["Properties"]
    assert source["CodeUri"] == "..", "the workspace root, relative to infra/"
    function = properties(deploy(MemberAccountIds=MEMBERS), "Function")
    expected = {
        "Handler": "bootstrap",
        "Runtime": "provided.al2023",
        "Architectures": ["arm64"],
        "MemorySize": "512",
        "Timeout": "120",
        "ReservedConcurrentExecutions": "10",
    }
    assert {key: function.get(key) for key in expected} == expected, "function basics"
    assert function["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "WARN",
        "LogGroup": "FunctionLogGroup",
    }, "JSON logging into the stack's log group"


ENV_CASES = [
    (
        "members only, nothing optional",
        {"MemberAccountIds": MEMBERS},
        {
            "TRAILWATCH_TOPIC_ARN": "AlertTopic",
            "TRAILWATCH_EXPECTED_ACCOUNTS": MEMBERS,
            "TRAILWATCH_BUCKETS": BUCKET,
            "TRAILWATCH_EXPECTED_BUCKET_OWNER": ACCOUNT,
            "TRAILWATCH_MAX_COMPRESSED_BYTES": "134217728",
            "TRAILWATCH_VERIFY_CONCURRENCY": "8",
            "TRAILWATCH_MAX_DIGEST_AGE_S": "7200",
        },
    ),
    (
        "organisation with every option",
        {
            "OrganizationId": ORG,
            "OrganizationTrailArn": ORG_TRAIL,
            "AllowedRegions": "eu-west-1,us-east-1",
            "BucketOwnerCanonicalId": "a" * 64,
            "RulesS3Uri": RULES_URI,
            "MaxCompressedBytes": "104857600",
            "MaxDecompressedBytes": "1073741824",
            "MaxRecordBytes": "1048576",
            "RustLog": "trailwatch=debug",
            "PublicKeysS3Uri": "s3://example-config-bucket/trailwatch/public-keys.json",
            "VerifyConcurrency": "16",
            "MaxDigestAgeSeconds": "10800",
        },
        {
            "TRAILWATCH_TOPIC_ARN": "AlertTopic",
            "TRAILWATCH_EXPECTED_ORG_ID": ORG,
            "TRAILWATCH_REGIONS": "eu-west-1,us-east-1",
            "TRAILWATCH_BUCKETS": BUCKET,
            "TRAILWATCH_EXPECTED_BUCKET_OWNER": ACCOUNT,
            "TRAILWATCH_BUCKET_OWNER_ID": "a" * 64,
            "TRAILWATCH_RULES": RULES_URI,
            "TRAILWATCH_MAX_COMPRESSED_BYTES": "104857600",
            "TRAILWATCH_MAX_DECOMPRESSED_BYTES": "1073741824",
            "TRAILWATCH_MAX_RECORD_BYTES": "1048576",
            "RUST_LOG": "trailwatch=debug",
            "TRAILWATCH_PUBLIC_KEYS": "s3://example-config-bucket/trailwatch/public-keys.json",
            "TRAILWATCH_VERIFY_CONCURRENCY": "16",
            "TRAILWATCH_MAX_DIGEST_AGE_S": "10800",
        },
    ),
]


@pytest.mark.parametrize("case,parameters,expected", ENV_CASES, ids=[c[0] for c in ENV_CASES])
def test_environment_follows_the_bucket_policy_parameters(case, parameters, expected):
    variables = properties(deploy(**parameters), "Function")["Environment"]["Variables"]
    assert variables == expected, f"{case}: environment"


# ---------------------------------------------------------------------- triggers and failures

LOG_FILTER = {"S3Key": {"Rules": [{"Name": "prefix", "Value": "AWSLogs/"}, {"Name": "suffix", "Value": ".json.gz"}]}}


def test_direct_mode_bucket_invokes_function_with_retries_and_failure_queue():
    stack = deploy(MemberAccountIds=MEMBERS)
    notifications = properties(stack, "TrailBucket")["NotificationConfiguration"]
    assert notifications == {
        "LambdaConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Filter": LOG_FILTER, "Function": "Function.Arn"}
        ]
    }, "direct mode: ObjectCreated on AWSLogs/*.json.gz to the function, nothing else"
    assert stack["Resources"]["TrailBucket"]["Metadata"]["NotificationGrant"] == "FunctionS3InvokePermission", (
        "the bucket must wait for the invoke permission"
    )
    assert properties(stack, "FunctionS3InvokePermission") == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": "Function.Arn",
        "Principal": "s3.amazonaws.com",
        "SourceArn": BUCKET_ARN,
        "SourceAccount": ACCOUNT,
    }, "only this bucket in this account may invoke"
    assert properties(stack, "FunctionAsyncConfig") == {
        "FunctionName": "Function",
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": "2",
        "MaximumEventAgeInSeconds": "21600",
        "DestinationConfig": {"OnFailure": {"Destination": "FailureQueue.Arn"}},
    }, "explicit retries and the on-failure destination"
    absent = {"BufferQueue", "BufferQueuePolicy", "BufferQueueMapping"} & set(stack["Resources"])
    assert not absent, f"direct mode creates no buffer: {sorted(absent)}"


def test_sqs_mode_bucket_feeds_queue_polled_with_partial_batch_responses():
    # Without the heartbeat nothing invokes the function asynchronously in this mode (with it,
    # see test_heartbeat.py).
    stack = deploy(MemberAccountIds=MEMBERS, InvocationMode="sqs", BufferMaxReceiveCount="4", Heartbeat="false")
    notifications = properties(stack, "TrailBucket")["NotificationConfiguration"]
    assert notifications == {
        "QueueConfigurations": [{"Event": "s3:ObjectCreated:*", "Filter": LOG_FILTER, "Queue": "BufferQueue.Arn"}]
    }, "sqs mode: ObjectCreated on AWSLogs/*.json.gz to the buffer queue only"
    assert stack["Resources"]["TrailBucket"]["Metadata"]["NotificationGrant"] == "BufferQueuePolicy", (
        "the bucket must wait for the queue policy"
    )
    assert properties(stack, "BufferQueue")["RedrivePolicy"] == {
        "deadLetterTargetArn": "FailureQueue.Arn",
        "maxReceiveCount": "4",
    }, "explicit receive count, then the failure queue"
    mapping = properties(stack, "BufferQueueMapping")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], "partial batch responses"
    assert mapping["EventSourceArn"] == "BufferQueue.Arn", "the mapping polls the buffer queue"
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": "10"}, "pollers capped at the reserved concurrency"
    assert_same_statements(
        "buffer queue policy",
        statements(properties(stack, "BufferQueuePolicy")["PolicyDocument"]),
        [
            {
                "Sid": "BucketNotifies",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "BufferQueue.Arn",
                "Condition": {"ArnEquals": {"aws:SourceArn": BUCKET_ARN}, "StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    )
    absent = {"FunctionS3InvokePermission", "FunctionAsyncConfig"} & set(stack["Resources"])
    assert not absent, f"sqs mode: the bucket does not invoke the function: {sorted(absent)}"


def test_alarms_watch_failure_queue_errors_and_throttles():
    # The alarms on the function's own metrics are test_metrics.py's.
    stack = deploy(MemberAccountIds=MEMBERS, AlarmTopicArn="arn:aws:sns:eu-west-1:123456789012:ops", MetricAlarms="false")
    watched = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"], a["Properties"]["Dimensions"][0]["Value"])
        for a in stack.get_resources_of_type("AWS::CloudWatch::Alarm").values()
    }
    assert watched == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "FailureQueue.QueueName"),
        ("AWS/Lambda", "Errors", "Function"),
        ("AWS/Lambda", "Throttles", "Function"),
    }, "alarm set"
    for name, alarm in stack.get_resources_of_type("AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["AlarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:ops"], f"{name}: action"


# ---------------------------------------------------------------------- the topic

def test_only_the_function_may_publish():
    stack = deploy(MemberAccountIds=MEMBERS)
    policy = properties(stack, "AlertTopicPolicy")
    assert policy["Topics"] == ["AlertTopic"], "policy on the alert topic"
    assert_same_statements(
        "topic policy",
        statements(policy["PolicyDocument"]),
        [
            {
                "Sid": "FunctionPublishes",
                "Effect": "Allow",
                "Principal": {"AWS": "FunctionRole.Arn"},
                "Action": "sns:Publish",
                "Resource": "AlertTopic",
            },
            {
                "Sid": "NobodyElsePublishes",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": "AlertTopic",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "FunctionRole.Arn"}},
            },
        ],
    )


@pytest.mark.parametrize(
    "case,encrypt,key",
    [("encrypted", "true", "TopicKey"), ("plain", "false", None)],
    ids=["encrypted", "plain"],
)
def test_topic_encryption_follows_parameter(case, encrypt, key):
    stack = deploy(MemberAccountIds=MEMBERS, EncryptTopic=encrypt)
    assert properties(stack, "AlertTopic").get("KmsMasterKeyId") == key, f"{case}: topic key"
    assert ("TopicKey" in stack["Resources"]) == (key is not None), f"{case}: key resource"
    if key:
        assert properties(stack, "TopicKey")["EnableKeyRotation"] is True, f"{case}: key rotation"


def test_example_subscriptions_filter_on_alert_attributes():
    stack = deploy(
        MemberAccountIds=MEMBERS,
        SecurityTeamEmail="security@example.com",
        AccountTeamEmail="payments@example.com",
        AccountTeamAccountIds="111111111111",
        OnCallEmail="oncall@example.com",
    )
    subscriptions = {
        s["Properties"]["Endpoint"]: (s["Properties"].get("FilterPolicyScope"), s["Properties"].get("FilterPolicy"))
        for s in stack.get_resources_of_type("AWS::SNS::Subscription").values()
    }
    assert subscriptions == {
        "security@example.com": (None, None),
        "payments@example.com": ("MessageAttributes", {"account_id": ["111111111111"]}),
        "oncall@example.com": ("MessageAttributes", {"severity": ["critical", "high"]}),
    }, "subscriptions and their filters"
    unsubscribed = deploy(MemberAccountIds=MEMBERS).get_resources_of_type("AWS::SNS::Subscription")
    assert not unsubscribed, "no address, no subscription"


# ---------------------------------------------------------------------- the bucket

def test_created_bucket_is_private_encrypted_versioned_and_logged():
    bucket = properties(deploy(MemberAccountIds=MEMBERS, LogExpirationDays="400"), "TrailBucket")
    assert bucket["BucketName"] == BUCKET, "bucket name"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }, "public access blocked"
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ], "default encryption"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}, "versioning"
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}, "ACLs disabled"
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == "AccessLogBucket", "access logging"
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == "400", "lifecycle parameter"


def test_log_expiration_zero_keeps_logs():
    rule = properties(deploy(MemberAccountIds=MEMBERS), "TrailBucket")["LifecycleConfiguration"]["Rules"][0]
    assert "ExpirationInDays" not in rule, "LogExpirationDays=0 must not expire anything"


# ---------------------------------------------------------------------- third-party access

def test_vendor_role_needs_external_id_and_reads_awslogs_only():
    stack = deploy(MemberAccountIds=MEMBERS, VendorAccountId=VENDOR, VendorExternalId=EXTERNAL_ID)
    role = properties(stack, "VendorReadRole")
    assert_same_statements(
        "vendor trust",
        statements(role["AssumeRolePolicyDocument"]),
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
            }
        ],
    )
    assert "ManagedPolicyArns" not in role and len(role["Policies"]) == 1, "vendor role: one inline policy"
    assert_same_statements(
        "vendor permissions",
        statements(role["Policies"][0]["PolicyDocument"]),
        [
            {"Sid": "ReadLogs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/AWSLogs/*"},
            {
                "Sid": "ListLogs",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET_ARN,
                "Condition": {"StringLike": {"s3:prefix": "AWSLogs/*"}},
            },
        ],
    )


# ---------------------------------------------------------------------- parameter rules

# (case, parameters, what rejects them: a template Rule or a parameter constraint)
REJECTED = [
    ("nobody may deliver", {}, "rule SomeoneDelivers fails"),
    ("organisation without its trail", {"OrganizationId": ORG}, "rule OrganizationNeedsItsTrail fails"),
    (
        "trail without its organisation",
        {"MemberAccountIds": MEMBERS, "OrganizationTrailArn": ORG_TRAIL},
        "rule TrailNeedsItsOrganization fails",
    ),
    (
        "vendor without external id",
        {"MemberAccountIds": MEMBERS, "VendorAccountId": VENDOR},
        "rule VendorNeedsExternalId fails",
    ),
    (
        "account team without accounts",
        {"MemberAccountIds": MEMBERS, "AccountTeamEmail": "team@example.com"},
        "rule AccountTeamNeedsAccounts fails",
    ),
    (
        "malformed member list",
        {"MemberAccountIds": "111111111111, 222222222222"},
        "does not match the AllowedPattern for parameter MemberAccountIds",
    ),
    (
        "unknown invocation mode",
        {"MemberAccountIds": MEMBERS, "InvocationMode": "kinesis"},
        "not in allowed values for parameter InvocationMode",
    ),
]


@pytest.mark.parametrize("case,parameters,reason", REJECTED, ids=[c[0] for c in REJECTED])
def test_bad_parameter_combinations_are_rejected(case, parameters, reason):
    # Rules and constraints both reject with a ValueError; the message says which one did.
    with pytest.raises(ValueError, match=reason):
        deploy(**parameters)
        pytest.fail(f"{case}: accepted")


# ---------------------------------------------------------------------- documentation

def test_readme_documents_every_parameter():
    readme = (TEMPLATE.parent / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Za-z0-9]+)` \|", readme, flags=re.MULTILINE))
    declared = set(source_template()["Parameters"])
    assert declared <= documented, f"parameters missing from README.md: {sorted(declared - documented)}"
