"""Sigma rules as the stack deploys them (SigmaRulesS3Uri): the variable the function reads and
exactly the reads it needs - the one object, or the folder's listing and the objects below it -
and nothing when the parameter is empty. Each case deploys the template on paper (see
test_template.py) and compares whole statements.
"""

from __future__ import annotations

import pytest

from stack import deploy, properties, statements
from test_integrity import string_like
from test_template import MEMBERS

RULES_BUCKET = "example-config-bucket"
OBJECT_URI = f"s3://{RULES_BUCKET}/trailwatch/sigma.yml"
FOLDER_URI = f"s3://{RULES_BUCKET}/trailwatch/sigma/"
SIGMA_SIDS = {"ReadSigmaRules", "ListSigmaRules"}


def by_sid(stack) -> dict[str, dict]:
    document = properties(stack, "FunctionRole")["Policies"][0]["PolicyDocument"]
    return {s["Sid"]: s for s in statements(document)}


def variables(stack) -> dict[str, str]:
    return properties(stack, "Function")["Environment"]["Variables"]


def read_sigma(resource: str) -> dict:
    return {"Sid": "ReadSigmaRules", "Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}


def list_sigma(prefix: str) -> dict:
    return {
        "Sid": "ListSigmaRules",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{RULES_BUCKET}",
        "Condition": {"StringEquals": {"s3:prefix": prefix}},
    }


def test_without_sigma_rules_the_function_reads_none_and_is_told_of_none():
    stack = deploy(MemberAccountIds=MEMBERS)
    assert not SIGMA_SIDS & set(by_sid(stack)), "no Sigma rules, nothing of theirs to read"
    assert "TRAILWATCH_SIGMA_RULES" not in variables(stack), "unset: no Sigma rules"


def test_one_rule_file_is_the_one_object_the_function_reads():
    stack = deploy(MemberAccountIds=MEMBERS, SigmaRulesS3Uri=OBJECT_URI)
    sids = by_sid(stack)
    assert sids["ReadSigmaRules"] == read_sigma(f"arn:aws:s3:::{RULES_BUCKET}/trailwatch/sigma.yml"), "exactly the file"
    assert "ListSigmaRules" not in sids, "one object needs no listing"
    assert variables(stack)["TRAILWATCH_SIGMA_RULES"] == OBJECT_URI


def test_a_folder_is_listed_with_exactly_its_prefix_and_read_below_it():
    stack = deploy(MemberAccountIds=MEMBERS, SigmaRulesS3Uri=FOLDER_URI)
    sids = by_sid(stack)
    assert sids["ReadSigmaRules"] == read_sigma(f"arn:aws:s3:::{RULES_BUCKET}/trailwatch/sigma/*")
    assert sids["ListSigmaRules"] == list_sigma("trailwatch/sigma/"), "the listing the function asks for, no other"
    assert variables(stack)["TRAILWATCH_SIGMA_RULES"] == FOLDER_URI
    readable = sids["ReadSigmaRules"]["Resource"].removeprefix(f"arn:aws:s3:::{RULES_BUCKET}/")
    for key in ("trailwatch/sigma/aws.yml", "trailwatch/sigma/cloudtrail/stop.yaml"):
        assert string_like(readable, key), f"{key} is below the folder yet unreadable"
    for key in ("trailwatch/sigma.yml", "trailwatch/sigma-old/aws.yml", "trailwatch/rules.toml"):
        assert not string_like(readable, key), f"the role may read {key}, outside the folder"


@pytest.mark.parametrize("depth", range(1, 9))
def test_the_listing_prefix_is_the_folder_at_every_allowed_depth(depth):
    folder = "".join(f"level{n}/" for n in range(depth))
    stack = deploy(MemberAccountIds=MEMBERS, SigmaRulesS3Uri=f"s3://{RULES_BUCKET}/{folder}")
    assert by_sid(stack)["ListSigmaRules"] == list_sigma(folder), f"{depth} folders deep"


def test_a_folder_in_the_trail_bucket_gets_its_own_listing_beside_cloudtrails():
    stack = deploy(MemberAccountIds=MEMBERS, SigmaRulesS3Uri="s3://example-trail-bucket/sigma/")
    sids = by_sid(stack)
    assert sids["ListSigmaRules"]["Resource"] == "arn:aws:s3:::example-trail-bucket"
    assert sids["ListSigmaRules"]["Condition"] == {"StringEquals": {"s3:prefix": "sigma/"}}
    assert sids["ListCloudTrailFolders"]["Condition"]["StringLike"]["s3:prefix"] == [
        "AWSLogs/*/CloudTrail/*",
        "AWSLogs/*/CloudTrail-Digest/*",
    ], "the CloudTrail folders' listing is unchanged"


@pytest.mark.parametrize(
    "uri",
    [
        "example-config-bucket/sigma/",
        "s3://example-config-bucket",
        "s3://example-config-bucket/",
        "s3://example-config-bucket//",
        "s3://example-config-bucket/sigma//",
        "s3://example-config-bucket/sigma/*",
        "s3://example-config-bucket/sigma/*.yml",
        "s3://example-config-bucket/sigma?/",
        f"s3://{RULES_BUCKET}/" + "".join(f"l{n}/" for n in range(9)),
    ],
    ids=[
        "no scheme",
        "no key",
        "the whole bucket",
        "an empty folder name",
        "an empty folder name below",
        "a wildcard",
        "a wildcard pattern",
        "a question mark",
        "nine folders deep",
    ],
)
def test_sigma_rules_name_one_object_or_one_folder(uri):
    with pytest.raises(ValueError, match="AllowedPattern for parameter SigmaRulesS3Uri"):
        deploy(MemberAccountIds=MEMBERS, SigmaRulesS3Uri=uri)
