#!/usr/bin/env python3
"""The naive peer that trailwatch's benchmark compares against.

What a team would write without trailwatch: read the whole delivery with gzip.open and
json.load, then test the 14 CloudWatch.1-14 controls of the CIS pack against every record,
each written directly in Python with the pattern language's semantics (a missing member makes
a comparison false, `!=` included; strings compare only with strings; `*` is a wildcard).

    python3 scripts/python_peer.py FILE.json.gz

prints one JSON line:

    {"records":N,"matches":{"CloudWatch.1":k,...},"seconds":t,"mb_per_s":x}

`seconds` runs from opening the file to the last record evaluated; `mb_per_s` is uncompressed
JSON bytes (10^6 per MB) over that time. Python 3.11 standard library only.
"""

import gzip
import json
import sys
import time

_MISSING = object()


def _get(record, path):
    """The member at `path` (a tuple of names), or _MISSING if any step is absent or not an object."""
    value = record
    for name in path:
        if not isinstance(value, dict):
            return _MISSING
        value = value.get(name, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def _like(value, pattern):
    """String match where each `*` in the pattern stands for any run of characters."""
    if "*" not in pattern:
        return value == pattern
    parts = pattern.split("*")
    first, last = parts[0], parts[-1]
    if not value.startswith(first):
        return False
    position = len(first)
    for middle in parts[1:-1]:
        found = value.find(middle, position)
        if found < 0:
            return False
        position = found + len(middle)
    return len(value) - len(last) >= position and value.endswith(last)


def _eq(record, path, pattern):
    value = _get(record, path)
    return isinstance(value, str) and _like(value, pattern)


def _ne(record, path, pattern):
    value = _get(record, path)
    return isinstance(value, str) and not _like(value, pattern)


def _exists(record, path):
    return _get(record, path) is not _MISSING


def _name_in(record, names):
    value = _get(record, ("eventName",))
    return isinstance(value, str) and value in names


def _source_is(record, source):
    return _eq(record, ("eventSource",), source)


IAM_POLICY = frozenset(
    "DeleteGroupPolicy DeleteRolePolicy DeleteUserPolicy PutGroupPolicy PutRolePolicy PutUserPolicy "
    "CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion AttachRolePolicy DetachRolePolicy "
    "AttachUserPolicy DetachUserPolicy AttachGroupPolicy DetachGroupPolicy".split()
)
TRAIL = frozenset("CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging".split())
BUCKET_POLICY = frozenset(
    "PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication DeleteBucketPolicy "
    "DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication".split()
)
CONFIG = frozenset(
    "StopConfigurationRecorder DeleteDeliveryChannel PutDeliveryChannel PutConfigurationRecorder".split()
)
SECURITY_GROUP = frozenset(
    "AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress "
    "RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup".split()
)
NACL = frozenset(
    "CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry ReplaceNetworkAclEntry "
    "ReplaceNetworkAclAssociation".split()
)
GATEWAY = frozenset(
    "CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway CreateInternetGateway "
    "DeleteInternetGateway DetachInternetGateway".split()
)
ROUTE = frozenset(
    "CreateRoute CreateRouteTable ReplaceRoute ReplaceRouteTableAssociation DeleteRouteTable DeleteRoute "
    "DisassociateRouteTable".split()
)
VPC = frozenset(
    "CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection CreateVpcPeeringConnection "
    "DeleteVpcPeeringConnection RejectVpcPeeringConnection AttachClassicLinkVpc DetachClassicLinkVpc "
    "DisableVpcClassicLink EnableVpcClassicLink".split()
)

CONTROLS = {
    "CloudWatch.1": lambda r: _eq(r, ("userIdentity", "type"), "Root")
    and not _exists(r, ("userIdentity", "invokedBy"))
    and _ne(r, ("eventType",), "AwsServiceEvent"),
    "CloudWatch.2": lambda r: _eq(r, ("errorCode",), "*UnauthorizedOperation")
    or _eq(r, ("errorCode",), "AccessDenied*"),
    "CloudWatch.3": lambda r: _eq(r, ("eventName",), "ConsoleLogin")
    and _ne(r, ("additionalEventData", "MFAUsed"), "Yes")
    and _eq(r, ("userIdentity", "type"), "IAMUser")
    and _eq(r, ("responseElements", "ConsoleLogin"), "Success"),
    "CloudWatch.4": lambda r: _name_in(r, IAM_POLICY),
    "CloudWatch.5": lambda r: _name_in(r, TRAIL),
    "CloudWatch.6": lambda r: _eq(r, ("eventName",), "ConsoleLogin")
    and _eq(r, ("errorMessage",), "Failed authentication"),
    "CloudWatch.7": lambda r: _source_is(r, "kms.amazonaws.com")
    and _name_in(r, ("DisableKey", "ScheduleKeyDeletion")),
    "CloudWatch.8": lambda r: _source_is(r, "s3.amazonaws.com") and _name_in(r, BUCKET_POLICY),
    "CloudWatch.9": lambda r: _source_is(r, "config.amazonaws.com") and _name_in(r, CONFIG),
    "CloudWatch.10": lambda r: _name_in(r, SECURITY_GROUP),
    "CloudWatch.11": lambda r: _name_in(r, NACL),
    "CloudWatch.12": lambda r: _name_in(r, GATEWAY),
    "CloudWatch.13": lambda r: _name_in(r, ROUTE),
    "CloudWatch.14": lambda r: _name_in(r, VPC),
}


def evaluate(path):
    """Reads one delivery and counts matches per control; returns the result object."""
    start = time.perf_counter()
    with gzip.open(path, "rb") as f:
        raw = f.read()
    delivery = json.loads(raw)
    records = delivery.get("Records", []) if isinstance(delivery, dict) else []
    matches = dict.fromkeys(CONTROLS, 0)
    for record in records:
        for control, check in CONTROLS.items():
            if check(record):
                matches[control] += 1
    seconds = time.perf_counter() - start
    return {
        "records": len(records),
        "matches": matches,
        "seconds": round(seconds, 4),
        "mb_per_s": round(len(raw) / 1e6 / seconds, 2) if seconds > 0 else None,
    }


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: python3 scripts/python_peer.py FILE.json.gz", file=sys.stderr)
        return 2
    try:
        result = evaluate(argv[1])
    except (OSError, EOFError, ValueError) as error:
        print(f"python_peer: {argv[1]}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
