"""The member accounts' statements of the bucket policy, in the CloudTrail guide's multi-account
form: one `s3:PutObject` resource per listed account, `<prefix/>AWSLogs/<account>/*`, never the
`${aws:SourceAccount}` policy variable. CloudFormation cannot map over MemberAccountIds, so the
template spells out MAX_MEMBERS slots and the parameter's AllowedPattern admits no more ids than
that; the cases below render the stack (see test_template.py) and compare whole statement sets.
"""

from __future__ import annotations

import json
import re

import pytest

from stack import assert_same_statements, deploy, properties, source_template, statements
from test_template import BUCKET_ARN, CLOUDTRAIL, DENY_INSECURE, ORG, ORG_TRAIL

MAX_MEMBERS = 20
PREFIX = "org/cloudtrail"
# Distinct, recognisable ids: 010101010101, 020202020202, ..., 212121212121.
IDS = [f"{n:02d}" * 6 for n in range(1, MAX_MEMBERS + 2)]
SEED = ["123456789012", "999988887777"]  # the seed scenario's Production and Dev accounts


def member_statements(members: list[str], resources: list[str]) -> list[dict]:
    """The two member statements: the ACL check and the write on exactly `resources`."""
    return [
        {
            "Sid": "AWSCloudTrailAclCheckMemberAccounts",
            "Effect": "Allow",
            "Principal": CLOUDTRAIL,
            "Action": "s3:GetBucketAcl",
            "Resource": BUCKET_ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": members}},
        },
        {
            "Sid": "AWSCloudTrailWriteMemberAccounts",
            "Effect": "Allow",
            "Principal": CLOUDTRAIL,
            "Action": "s3:PutObject",
            "Resource": resources,
            "Condition": {
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": members,
                }
            },
        },
    ]


def folders(members: list[str], prefix: str) -> list[str]:
    root = f"{prefix}/AWSLogs" if prefix else "AWSLogs"
    return [f"{BUCKET_ARN}/{root}/{member}/*" for member in members]


def bucket_policy(stack) -> dict:
    return properties(stack, "TrailBucketPolicy")["PolicyDocument"]


# (case, members, LogFilePrefix, the write statement's resources)
CASES = [
    ("one member", IDS[:1], "", [f"{BUCKET_ARN}/AWSLogs/010101010101/*"]),
    (
        "one member, prefixed",
        IDS[:1],
        PREFIX,
        [f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/010101010101/*"],
    ),
    (
        "seed scenario's two members",
        SEED,
        "",
        [f"{BUCKET_ARN}/AWSLogs/123456789012/*", f"{BUCKET_ARN}/AWSLogs/999988887777/*"],
    ),
    (
        "seed scenario's two members, prefixed",
        SEED,
        PREFIX,
        [
            f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/123456789012/*",
            f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/999988887777/*",
        ],
    ),
    ("the maximum", IDS[:MAX_MEMBERS], "", folders(IDS[:MAX_MEMBERS], "")),
    ("the maximum, prefixed", IDS[:MAX_MEMBERS], PREFIX, folders(IDS[:MAX_MEMBERS], PREFIX)),
]


@pytest.mark.parametrize("case,members,prefix,resources", CASES, ids=[c[0] for c in CASES])
def test_each_member_writes_into_its_own_listed_folder(case, members, prefix, resources):
    stack = deploy(MemberAccountIds=",".join(members), LogFilePrefix=prefix)
    assert_same_statements(
        case, statements(bucket_policy(stack)), [DENY_INSECURE, *member_statements(members, resources)]
    )
    write = next(s for s in statements(bucket_policy(stack)) if s["Sid"] == "AWSCloudTrailWriteMemberAccounts")
    assert write["Resource"] == resources, f"{case}: one resource per member, in the parameter's order"


def test_one_over_the_maximum_is_rejected():
    with pytest.raises(ValueError, match="AllowedPattern for parameter MemberAccountIds"):
        deploy(MemberAccountIds=",".join(IDS[: MAX_MEMBERS + 1]))
        pytest.fail(f"{MAX_MEMBERS + 1} member accounts accepted")


@pytest.mark.parametrize(
    "parameters",
    [
        {"MemberAccountIds": ",".join(SEED)},
        {"MemberAccountIds": ",".join(IDS[:MAX_MEMBERS]), "LogFilePrefix": PREFIX},
        {
            "MemberAccountIds": ",".join(SEED),
            "OrganizationId": ORG,
            "OrganizationTrailArn": ORG_TRAIL,
            "LogFilePrefix": PREFIX,
        },
    ],
    ids=["seed", "maximum-prefixed", "members-and-organisation"],
)
def test_no_policy_variable_is_left(parameters):
    rendered = json.dumps(bucket_policy(deploy(**parameters)))
    assert "${aws:SourceAccount}" not in rendered, "the undocumented policy-variable form is back"
    assert "${" not in rendered, f"an unresolved variable in the bucket policy: {rendered}"


def test_slots_and_the_allowed_pattern_agree():
    template = source_template()
    pattern = template["Parameters"]["MemberAccountIds"]["AllowedPattern"]
    assert pattern == "^$|^[0-9]{12}(,[0-9]{12}){0,%d}$" % (MAX_MEMBERS - 1), "the parameter's bound moved"
    slots = {name for name in template["Conditions"] if re.fullmatch(r"HasMember[0-9]+", name)}
    assert slots == {f"HasMember{n}" for n in range(1, MAX_MEMBERS)}, "one condition per slot after the first"
    statement = next(
        s["Fn::If"][1]
        for s in template["Resources"]["TrailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if "Fn::If" in s and s["Fn::If"][1].get("Sid") == "AWSCloudTrailWriteMemberAccounts"
    )
    resources = statement["Resource"]
    assert len(resources) == MAX_MEMBERS, "one resource slot per admitted member"
    for n, slot in enumerate(resources[1:], start=1):
        condition, resource, otherwise = slot["Fn::If"]
        assert (condition, otherwise) == (f"HasMember{n}", {"Ref": "AWS::NoValue"}), f"slot {n}: its condition"
        assert resource["Fn::Sub"][1]["Id"]["Fn::Select"][0] == n, f"slot {n}: selects index {n}"
