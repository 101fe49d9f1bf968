"""Writes copies of the template whose parameter defaults switch on the optional resources.

checkov decides a template's conditions from the parameter defaults and skips every resource
whose condition is then false. Scanned as written, the template would hide the buffer queue,
the vendor role, the subscriptions and the existing-bucket policy from it. Each variant here is
the same template (as JSON) with other defaults, so together they put every resource in front
of checkov.

Usage: python checkov_variants.py TEMPLATE OUT_DIR  (prints the files it wrote, one per line)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cfn_tools import load_yaml

VARIANTS = {
    "every-option": {
        "BucketName": "example-trail-bucket",
        "MemberAccountIds": "111111111111,222222222222",
        "OrganizationId": "o-a1b2c3d4e5",
        "OrganizationTrailArn": "arn:aws:cloudtrail:us-east-1:999999999999:trail/org-trail",
        "InvocationMode": "sqs",
        "LogExpirationDays": 400,
        "RulesS3Uri": "s3://example-config-bucket/trailwatch/rules.toml",
        "SigmaRulesS3Uri": "s3://example-config-bucket/trailwatch/sigma/",
        "PublicKeysS3Uri": "s3://example-config-bucket/trailwatch/public-keys.json",
        "AccountNamesS3Uri": "s3://example-config-bucket/trailwatch/account-names.toml",
        "SecurityTeamEmail": "security@example.com",
        "AccountTeamEmail": "payments@example.com",
        "AccountTeamAccountIds": "111111111111",
        "OnCallEmail": "oncall@example.com",
        "AlarmTopicArn": "arn:aws:sns:eu-west-1:123456789012:ops",
        "VendorAccountId": "555555555555",
        "VendorExternalId": "vendor-issued-7f3a",
        "TrailKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "LogFilePrefix": "org/cloudtrail",
        "BackfillBucketName": "example-ops",
    },
    # Exclusive with AccountNamesS3Uri (a rule checkov does not read), so a variant of its own:
    # the function role's ListOrganizationAccounts.
    "organizations-names": {
        "BucketName": "example-trail-bucket",
        "MemberAccountIds": "111111111111",
        "AccountNamesFromOrganizations": "true",
    },
    "existing-bucket": {
        "BucketName": "example-trail-bucket",
        "MemberAccountIds": "111111111111",
        "CreateBucket": "false",
        "AttachPolicyToExistingBucket": "true",
    },
}


def write_variants(template_path: Path, out_dir: Path) -> list[Path]:
    """Writes one JSON template per variant into out_dir and returns their paths."""
    template = load_yaml(template_path.read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, defaults in VARIANTS.items():
        variant = json.loads(json.dumps(template))
        parameters = variant["Parameters"]
        for key, value in defaults.items():
            if key not in parameters:
                raise ValueError(f"variant {name}: unknown parameter {key}")
            parameters[key]["Default"] = value
        path = out_dir / f"template-{name}.json"
        path.write_text(json.dumps(variant, indent=1))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for path in write_variants(Path(argv[1]), Path(argv[2])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
