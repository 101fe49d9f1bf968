"""Log-file integrity validation as the stack deploys it: the function's extra permissions (the
public-key lookup or the key file, the listing of the digest folders), its configuration, and
that digests reach it through the existing notification. Each case deploys the template on
paper (see test_template.py) and compares whole statements.
"""

from __future__ import annotations

import re

import pytest

from stack import deploy, properties, statements
from test_template import BUCKET_ARN, LIST_CLOUDTRAIL, LIST_PUBLIC_KEYS, MEMBERS, ORG, ORG_TRAIL

KEYS_URI = "s3://example-config-bucket/trailwatch/public-keys.json"
READ_KEYS = {
    "Sid": "ReadPublicKeysObject",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::example-config-bucket/trailwatch/public-keys.json",
}
MEMBER = "111111111111"
PREFIX = "org/cloudtrail"


def function_statements(stack) -> list[dict]:
    return statements(properties(stack, "FunctionRole")["Policies"][0]["PolicyDocument"])


def by_sid(stack) -> dict[str, dict]:
    return {s["Sid"]: s for s in function_statements(stack)}


def string_like(pattern: str, value: str) -> bool:
    """IAM's StringLike: `*` any run of characters (slashes too), `?` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


# ---------------------------------------------------------------------- public keys

def test_without_a_key_file_the_function_asks_cloudtrail_and_reads_no_key_object():
    stack = deploy(MemberAccountIds=MEMBERS)
    sids = by_sid(stack)
    assert sids["ListCloudTrailPublicKeys"] == LIST_PUBLIC_KEYS, "ListPublicKeys takes no resource but *"
    assert "ReadPublicKeysObject" not in sids, "no key file, no key object to read"
    variables = properties(stack, "Function")["Environment"]["Variables"]
    assert "TRAILWATCH_PUBLIC_KEYS" not in variables, "unset: the function asks CloudTrail"


def test_with_a_key_file_the_function_reads_that_object_and_never_asks_cloudtrail():
    stack = deploy(MemberAccountIds=MEMBERS, PublicKeysS3Uri=KEYS_URI)
    sids = by_sid(stack)
    assert sids["ReadPublicKeysObject"] == READ_KEYS, "exactly the key file, nothing beside it"
    granted = [s for s in function_statements(stack) if "cloudtrail:" in str(s["Action"])]
    assert not granted, f"a key file is configured, yet the role may call CloudTrail: {granted}"
    variables = properties(stack, "Function")["Environment"]["Variables"]
    assert variables["TRAILWATCH_PUBLIC_KEYS"] == KEYS_URI


@pytest.mark.parametrize(
    "uri", ["example-config-bucket/keys.json", "s3://example-config-bucket", "s3://example-config-bucket/*"]
)
def test_key_file_must_name_one_s3_object(uri):
    with pytest.raises(ValueError, match="AllowedPattern for parameter PublicKeysS3Uri"):
        deploy(MemberAccountIds=MEMBERS, PublicKeysS3Uri=uri)


# ---------------------------------------------------------------------- listing digest folders

# The heartbeat's two listings (region discovery, then one day folder), for a member account and
# for an organisation trail's account.
HEARTBEAT_PREFIXES = [
    f"AWSLogs/{MEMBER}/CloudTrail-Digest/",
    f"AWSLogs/{MEMBER}/CloudTrail-Digest/eu-west-1/2024/08/02/",
    f"AWSLogs/{ORG}/{MEMBER}/CloudTrail-Digest/",
    f"AWSLogs/{ORG}/{MEMBER}/CloudTrail-Digest/us-east-1/2024/08/02/",
]
# What settles a 403: a listing of the refused key itself, a log's or a digest's.
SETTLING_PREFIXES = [
    f"AWSLogs/{MEMBER}/CloudTrail/eu-west-1/2024/08/02/{MEMBER}_CloudTrail_eu-west-1_20240802T0205Z_QF6qcgyiaVnSueXa.json.gz",
    f"AWSLogs/{ORG}/{MEMBER}/CloudTrail-Digest/us-east-1/2024/08/02/{MEMBER}_CloudTrail-Digest_us-east-1_t_us-east-1_20240802T030000Z.json.gz",
]
# What the role must not list: the bucket's root, the account folders, other services' folders,
# Insights, outside AWSLogs/.
REFUSED_PREFIXES = [
    "",
    "AWSLogs/",
    f"AWSLogs/{MEMBER}/",
    f"AWSLogs/{MEMBER}/Config/",
    f"AWSLogs/{MEMBER}/CloudTrail-Insight/eu-west-1/",
    f"AWSLogs/{MEMBER}/CloudTrail",
    "notes/CloudTrail-Digest/",
    f"other/AWSLogs/{MEMBER}/CloudTrail-Digest/",
]


def listing_statements(stack) -> list[dict]:
    return [s for s in function_statements(stack) if "s3:ListBucket" in str(s["Action"])]


@pytest.mark.parametrize("prefix", ["", PREFIX], ids=["no-prefix", "prefixed"])
def test_the_function_lists_cloudtrails_folders_only(prefix):
    parameters = {"LogFilePrefix": prefix} if prefix else {}
    stack = deploy(MemberAccountIds=MEMBERS, OrganizationId=ORG, OrganizationTrailArn=ORG_TRAIL, **parameters)
    (listing,) = listing_statements(stack)
    root = f"{prefix}/" if prefix else ""
    assert listing == {
        **LIST_CLOUDTRAIL,
        "Condition": {
            "StringLike": {"s3:prefix": [f"{root}AWSLogs/*/CloudTrail/*", f"{root}AWSLogs/*/CloudTrail-Digest/*"]}
        },
    }, "s3:ListBucket on the bucket, only with a Prefix in a log or digest folder"
    patterns = listing["Condition"]["StringLike"]["s3:prefix"]

    def allowed(value: str) -> bool:
        return any(string_like(pattern, value) for pattern in patterns)

    for wanted in HEARTBEAT_PREFIXES + SETTLING_PREFIXES:
        assert allowed(root + wanted), f"the listing of {root + wanted!r} is refused"
    for refused in REFUSED_PREFIXES:
        assert not allowed(root + refused), f"the role may list {root + refused!r}"
    if prefix:
        assert not allowed(HEARTBEAT_PREFIXES[0]), "the root's AWSLogs/ is not the trails' folder"


def test_no_listing_without_its_condition_in_any_shape():
    # Every deployment shape: whatever else changes, the one listing keeps its prefix condition.
    for parameters in (
        {"MemberAccountIds": MEMBERS},
        {"OrganizationId": ORG, "OrganizationTrailArn": ORG_TRAIL, "InvocationMode": "sqs"},
        {"MemberAccountIds": MEMBERS, "PublicKeysS3Uri": KEYS_URI, "CreateBucket": "false"},
    ):
        (listing,) = listing_statements(deploy(**parameters))
        assert listing["Resource"] == BUCKET_ARN and set(listing["Condition"]) == {"StringLike"}, parameters
        assert list(listing["Condition"]["StringLike"]) == ["s3:prefix"], parameters


# ---------------------------------------------------------------------- configuration

def test_integrity_settings_reach_the_function():
    variables = properties(deploy(MemberAccountIds=MEMBERS), "Function")["Environment"]["Variables"]
    assert (variables["TRAILWATCH_VERIFY_CONCURRENCY"], variables["TRAILWATCH_MAX_DIGEST_AGE_S"]) == ("8", "7200")
    variables = properties(
        deploy(MemberAccountIds=MEMBERS, VerifyConcurrency="64", MaxDigestAgeSeconds="3600"), "Function"
    )["Environment"]["Variables"]
    assert (variables["TRAILWATCH_VERIFY_CONCURRENCY"], variables["TRAILWATCH_MAX_DIGEST_AGE_S"]) == ("64", "3600")


@pytest.mark.parametrize(
    "name,value",
    [
        ("VerifyConcurrency", "0"),
        ("VerifyConcurrency", "65"),
        ("VerifyConcurrency", "1.5"),
        ("VerifyConcurrency", "08"),
        ("MaxDigestAgeSeconds", "0"),
        ("MaxDigestAgeSeconds", "-7200"),
        ("MaxDigestAgeSeconds", "7200.5"),
        ("MaxDigestAgeSeconds", ""),
    ],
)
def test_integrity_numbers_are_positive_whole_numbers_in_range(name, value):
    with pytest.raises(ValueError, match=f"AllowedPattern for parameter {name}"):
        deploy(MemberAccountIds=MEMBERS, **{name: value})


@pytest.mark.parametrize("value", ["1", "9", "10", "59", "60", "64"])
def test_verify_concurrency_accepts_1_to_64(value):
    variables = properties(deploy(MemberAccountIds=MEMBERS, VerifyConcurrency=value), "Function")
    assert variables["Environment"]["Variables"]["TRAILWATCH_VERIFY_CONCURRENCY"] == value


# ---------------------------------------------------------------------- digests reach the function

DIGEST = (
    f"AWSLogs/{MEMBER}/CloudTrail-Digest/eu-west-1/2024/08/02/"
    f"{MEMBER}_CloudTrail-Digest_eu-west-1_trailwatch_us-east-1_20240802T030000Z.json.gz"
)
BACKFILL = DIGEST.replace(".json.gz", "_backfill.json.gz")
ORG_DIGEST = DIGEST.replace("AWSLogs/", f"AWSLogs/{ORG}/", 1)


def notified(rules: list[dict], key: str) -> bool:
    """S3's key filter: the key starts with the prefix rule's value and ends with the suffix's."""
    values = {rule["Name"]: rule["Value"] for rule in rules}
    return key.startswith(values.get("prefix", "")) and key.endswith(values.get("suffix", ""))


@pytest.mark.parametrize("mode,target", [("direct", "LambdaConfigurations"), ("sqs", "QueueConfigurations")])
@pytest.mark.parametrize("prefix", ["", PREFIX], ids=["no-prefix", "prefixed"])
def test_digests_and_backfill_digests_are_notified_like_logs(mode, target, prefix):
    parameters = {"LogFilePrefix": prefix} if prefix else {}
    stack = deploy(MemberAccountIds=MEMBERS, InvocationMode=mode, **parameters)
    (notification,) = properties(stack, "TrailBucket")["NotificationConfiguration"][target]
    rules = notification["Filter"]["S3Key"]["Rules"]
    root = f"{prefix}/" if prefix else ""
    for key in (DIGEST, BACKFILL, ORG_DIGEST):
        assert notified(rules, root + key), f"{mode}: {root + key} does not reach the function"
    assert not notified(rules, root + DIGEST.removesuffix(".gz")), "only .json.gz objects"
