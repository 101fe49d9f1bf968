"""The member accounts' statements of the bucket policy: one `s3:PutObject` statement per listed
account, whose one resource is that account's folder, `<prefix/>AWSLogs/<account>/*`, and whose
`aws:SourceAccount` condition names that account alone - so no member's trail can write into
another member's folder - never the `${aws:SourceAccount}` policy variable. CloudFormation cannot
map over MemberAccountIds, so the template spells out MAX_MEMBERS slots and the parameter's
AllowedPattern admits no more ids than that; the cases below render the stack (see
test_template.py) and compare whole statement sets.
"""

from __future__ import annotations

import fnmatch
import json
import re

import pytest

from stack import assert_same_statements, deploy, properties, source_template, statements
from test_template import BUCKET_ARN, CLOUDTRAIL, DENY_INSECURE, ORG, ORG_TRAIL, member_writes

MAX_MEMBERS = 20
PREFIX = "org/cloudtrail"
# Distinct, recognisable ids: 010101010101, 020202020202, ..., 212121212121.
IDS = [f"{n:02d}" * 6 for n in range(1, MAX_MEMBERS + 2)]
SEED = ["123456789012", "999988887777"]  # the seed scenario's Production and Dev accounts
# S3 refuses a bucket policy over 20 KB.
BUCKET_POLICY_LIMIT = 20 * 1024


def member_statements(members: list[str], prefix: str) -> list[dict]:
    """The member statements: the ACL check naming every member, then one write per member."""
    return [
        {
            "Sid": "AWSCloudTrailAclCheckMemberAccounts",
            "Effect": "Allow",
            "Principal": CLOUDTRAIL,
            "Action": "s3:GetBucketAcl",
            "Resource": BUCKET_ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": members}},
        },
        *member_writes(members, f"{prefix}/AWSLogs" if prefix else "AWSLogs"),
    ]


def bucket_policy(stack) -> dict:
    return properties(stack, "TrailBucketPolicy")["PolicyDocument"]


# (case, members, LogFilePrefix, the write statements' (resource, source account) in order)
CASES = [
    ("one member", IDS[:1], "", [(f"{BUCKET_ARN}/AWSLogs/010101010101/*", "010101010101")]),
    (
        "one member, prefixed",
        IDS[:1],
        PREFIX,
        [(f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/010101010101/*", "010101010101")],
    ),
    (
        "seed scenario's two members",
        SEED,
        "",
        [
            (f"{BUCKET_ARN}/AWSLogs/123456789012/*", "123456789012"),
            (f"{BUCKET_ARN}/AWSLogs/999988887777/*", "999988887777"),
        ],
    ),
    (
        "seed scenario's two members, prefixed",
        SEED,
        PREFIX,
        [
            (f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/123456789012/*", "123456789012"),
            (f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/999988887777/*", "999988887777"),
        ],
    ),
    ("the maximum", IDS[:MAX_MEMBERS], "", [(f"{BUCKET_ARN}/AWSLogs/{i}/*", i) for i in IDS[:MAX_MEMBERS]]),
    (
        "the maximum, prefixed",
        IDS[:MAX_MEMBERS],
        PREFIX,
        [(f"{BUCKET_ARN}/org/cloudtrail/AWSLogs/{i}/*", i) for i in IDS[:MAX_MEMBERS]],
    ),
]


@pytest.mark.parametrize("case,members,prefix,writes", CASES, ids=[c[0] for c in CASES])
def test_each_member_writes_into_its_own_folder_only(case, members, prefix, writes):
    stack = deploy(MemberAccountIds=",".join(members), LogFilePrefix=prefix)
    assert_same_statements(
        case, statements(bucket_policy(stack)), [DENY_INSECURE, *member_statements(members, prefix)]
    )
    rendered = [
        (s["Resource"], s["Condition"]["StringEquals"]["aws:SourceAccount"])
        for s in statements(bucket_policy(stack))
        if s["Sid"].startswith("MemberWrite")
    ]
    assert rendered == writes, f"{case}: one statement per member, its folder and its account, in order"


# ---------------------------------------------------------------- no write across members


def put_object_allowed(statement: dict) -> bool:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    return statement["Effect"] == "Allow" and any(fnmatch.fnmatchcase("s3:PutObject", a) for a in actions)


def source_accounts(statement: dict) -> set[str] | None:
    """The accounts the statement's aws:SourceAccount condition admits; None when it has none."""
    found = None
    for operator, keys in statement.get("Condition", {}).items():
        for key, value in keys.items():
            if key.lower() != "aws:sourceaccount":
                continue
            assert operator == "StringEquals", f"{statement.get('Sid')}: aws:SourceAccount under {operator}"
            values = {value} if isinstance(value, str) else set(value)
            found = values if found is None else found & values
    return found


def cross_member_writes(document: dict, members: list[str], prefix: str) -> list[str]:
    """Every way the policy lets one member's trail write into a folder that is not its own.

    For each Allow statement that grants s3:PutObject (directly or through a wildcard) and each
    member folder one of its resources covers, every account its aws:SourceAccount condition admits
    must be that folder's account: then the statement's folders are a subset of its accounts and
    the accounts a subset of its folders. A statement with no aws:SourceAccount condition may
    cover no member folder at all (the organisation trail's, pinned by aws:SourceArn, covers
    AWSLogs/<o-id>/* only)."""
    root = f"{prefix}/AWSLogs" if prefix else "AWSLogs"
    problems = []
    for statement in filter(put_object_allowed, statements(document)):
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        accounts = source_accounts(statement)
        for folder in members:
            key = f"{BUCKET_ARN}/{root}/{folder}/CloudTrail/eu-west-1/2026/12/01/{folder}_CloudTrail_x.json.gz"
            if not any(fnmatch.fnmatchcase(key, resource) for resource in resources):
                continue
            if accounts is None:
                problems.append(f"{statement.get('Sid')}: {folder}'s folder, no aws:SourceAccount condition")
            for account in sorted((accounts or set()) - {folder}):
                problems.append(f"{statement.get('Sid')}: {account} may write into {folder}'s folder")
    return problems


@pytest.mark.parametrize(
    "members,prefix,organisation",
    [(SEED, "", False), (IDS[:MAX_MEMBERS], PREFIX, False), (SEED, PREFIX, True), (IDS[:3], "", True)],
    ids=["seed", "maximum-prefixed", "seed-prefixed-and-organisation", "three-and-organisation"],
)
def test_no_member_writes_into_another_members_folder(members, prefix, organisation):
    parameters = {"MemberAccountIds": ",".join(members), "LogFilePrefix": prefix}
    if organisation:
        parameters |= {"OrganizationId": ORG, "OrganizationTrailArn": ORG_TRAIL}
    document = bucket_policy(deploy(**parameters))
    assert cross_member_writes(document, members, prefix) == []
    writers = [s for s in statements(document) if put_object_allowed(s)]
    assert len(writers) == len(members) + organisation, "one write statement per member (and the organisation)"


def test_the_check_catches_one_condition_shared_by_all_folders():
    # The form this replaces: every folder in one statement, every account in its one condition.
    shared = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": CLOUDTRAIL,
                "Action": "s3:PutObject",
                "Resource": [f"{BUCKET_ARN}/AWSLogs/{member}/*" for member in SEED],
                "Condition": {"StringEquals": {"aws:SourceAccount": SEED}},
            },
            {"Effect": "Allow", "Principal": CLOUDTRAIL, "Action": "s3:*", "Resource": f"{BUCKET_ARN}/AWSLogs/*"},
        ]
    }
    assert cross_member_writes(shared, SEED, "") == [
        "None: 999988887777 may write into 123456789012's folder",
        "None: 123456789012 may write into 999988887777's folder",
        "None: 123456789012's folder, no aws:SourceAccount condition",
        "None: 999988887777's folder, no aws:SourceAccount condition",
    ]


# ---------------------------------------------------------------- bounds and slots


def test_one_over_the_maximum_is_rejected():
    with pytest.raises(ValueError, match="AllowedPattern for parameter MemberAccountIds"):
        deploy(MemberAccountIds=",".join(IDS[: MAX_MEMBERS + 1]))
        pytest.fail(f"{MAX_MEMBERS + 1} member accounts accepted")


def test_the_largest_policy_fits_s3s_limit():
    document = bucket_policy(
        deploy(
            BucketName="b" * 63,
            LogFilePrefix="/".join(["p" * 63] * 3),  # 191 characters, LogFilePrefix's MaxLength
            MemberAccountIds=",".join(IDS[:MAX_MEMBERS]),
            OrganizationId=ORG,
            OrganizationTrailArn=ORG_TRAIL,
        )
    )
    size = len(json.dumps(document, separators=(",", ":")))
    assert size < BUCKET_POLICY_LIMIT, f"the largest bucket policy is {size} bytes, over S3's limit"


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
    conditions = {name for name in template["Conditions"] if re.fullmatch(r"HasMember[0-9]+", name)}
    assert conditions == {f"HasMember{n}" for n in range(1, MAX_MEMBERS)}, "one condition per slot after the first"
    slots = [
        s["Fn::If"]
        for s in template["Resources"]["TrailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if "Fn::If" in s and s["Fn::If"][1].get("Sid", "").startswith("MemberWrite")
    ]
    assert len(slots) == MAX_MEMBERS, "one write statement slot per admitted member"
    for n, (condition, statement, otherwise) in enumerate(slots):
        assert condition == ("HasMemberAccounts" if n == 0 else f"HasMember{n}"), f"slot {n}: its condition"
        assert otherwise == {"Ref": "AWS::NoValue"}, f"slot {n}: left out when empty"
        assert statement["Sid"] == f"MemberWrite{n}", f"slot {n}: its Sid"
        folder = statement["Resource"]["Fn::Sub"][1]["Id"]
        account = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
        assert folder["Fn::Select"][0] == n, f"slot {n}: its folder is index {n}'s"
        assert account == folder, f"slot {n}: its source account is its folder's account"
