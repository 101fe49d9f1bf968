"""Account names as the stack deploys them (AccountNamesS3Uri, AccountNamesFromOrganizations):
the variable the function reads and the one object it may read, or the word `organizations` and
ListAccounts, and none of it when both are left alone; never both."""

from __future__ import annotations

import pytest

from stack import deploy
from test_sigma import by_sid, variables
from test_template import MEMBERS

NAMES_URI = "s3://example-config-bucket/trailwatch/account-names.toml"


def test_without_names_the_function_reads_none_and_is_told_of_none():
    stack = deploy(MemberAccountIds=MEMBERS)
    assert "ReadAccountNamesObject" not in by_sid(stack)
    assert "ListOrganizationAccounts" not in by_sid(stack)
    assert "TRAILWATCH_ACCOUNT_NAMES" not in variables(stack)


def test_a_names_object_is_the_one_object_the_function_reads_for_them():
    stack = deploy(MemberAccountIds=MEMBERS, AccountNamesS3Uri=NAMES_URI)
    assert by_sid(stack)["ReadAccountNamesObject"] == {
        "Sid": "ReadAccountNamesObject",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::example-config-bucket/trailwatch/account-names.toml",
    }
    assert variables(stack)["TRAILWATCH_ACCOUNT_NAMES"] == NAMES_URI
    assert "ListOrganizationAccounts" not in by_sid(stack)


@pytest.mark.parametrize("uri", ["s3://bucket/names*", "s3://bucket/", "/var/task/names.toml", "s3://Bucket/k"])
def test_wildcards_folders_and_paths_are_refused(uri):
    with pytest.raises(ValueError, match="AllowedPattern for parameter AccountNamesS3Uri"):
        deploy(MemberAccountIds=MEMBERS, AccountNamesS3Uri=uri)


def test_names_from_organizations_may_list_the_accounts_and_nothing_else():
    stack = deploy(MemberAccountIds=MEMBERS, AccountNamesFromOrganizations="true")
    assert by_sid(stack)["ListOrganizationAccounts"] == {
        "Sid": "ListOrganizationAccounts",
        "Effect": "Allow",
        "Action": "organizations:ListAccounts",
        "Resource": "*",
    }
    assert "ReadAccountNamesObject" not in by_sid(stack)
    assert variables(stack)["TRAILWATCH_ACCOUNT_NAMES"] == "organizations"


def test_names_come_from_one_place_only():
    with pytest.raises(ValueError, match="rule AccountNamesFromOneSource fails"):
        deploy(MemberAccountIds=MEMBERS, AccountNamesS3Uri=NAMES_URI, AccountNamesFromOrganizations="true")


def test_organizations_is_true_or_false():
    with pytest.raises(ValueError, match="not in allowed values for parameter AccountNamesFromOrganizations"):
        deploy(MemberAccountIds=MEMBERS, AccountNamesFromOrganizations="yes")
