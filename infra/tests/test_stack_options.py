"""The stack's optional parameters and the conditions they switch: each case deploys the template
on paper (see test_template.py) and compares whole statement sets, so a statement that is added,
missing or widened fails the case that names it.
"""

from __future__ import annotations

import pytest

from stack import assert_same_statements, deploy, properties, statements
from test_template import (
    BUCKET_ARN,
    LOGS,
    MEMBERS,
    PUBLISH,
    READ_BUCKET_ACL,
    READ_OBJECTS,
    SEND_FAILURE,
    TOPIC_KEY,
)

TRAIL_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DECRYPT_TRAIL_LOGS = {
    "Sid": "DecryptTrailLogs",
    "Effect": "Allow",
    "Action": "kms:Decrypt",
    "Resource": TRAIL_KEY,
    "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
}
DEFAULT_FUNCTION = [LOGS, READ_OBJECTS, READ_BUCKET_ACL, PUBLISH, TOPIC_KEY, SEND_FAILURE]


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
