"""The template deployed on paper, for the template tests: the SAM transform that `sam deploy`
runs (the code location replaced by an S3 URI, as `sam package` does), then CloudFormation's
evaluation of the intrinsic functions, parameter constraints and template Rules (cloud-radar,
corrected in cloud_radar_gaps), and an order-free comparison of policy statements.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import boto3
from cfn_tools import load_yaml
from cloud_radar.cf.unit import Stack
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from cloud_radar_gaps import Template

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"
ACCOUNT = "123456789012"
BUCKET = "example-trail-bucket"


class _ProductionAccount(Template):
    """Pseudo parameters of the account and stack deployed to (the Region is given per render)."""

    AccountId = ACCOUNT
    StackName = "trailwatch"


def _no_managed_policies() -> dict[str, str]:
    """The stack names no SAM policy templates or managed policies; being asked for them is a failure."""
    raise AssertionError("the SAM transform looked up managed policies")


def _sam_transform(template: dict, parameters: dict[str, str]) -> dict:
    # The translator wants a Region for the partition; a session that names one keeps it offline.
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name="eu-west-1"))
    return translator.translate(template, parameter_values=parameters, get_managed_policy_map=_no_managed_policies)


@functools.cache
def _source() -> str:
    # cfn-flip's loader, the one cloud-radar uses: short-form tags (!Ref, !Sub, ...) come out long.
    return json.dumps(load_yaml(TEMPLATE.read_text()))


def source_template() -> dict:
    """infra/template.yaml as written, in plain containers; a fresh copy for each caller."""
    return json.loads(_source())


CODE_URI = "s3://deploy-artifacts/trailwatch/bootstrap.zip"


def transform(parameters: dict[str, str], code_uri: str = CODE_URI) -> dict:
    """The template after the SAM transform, as `sam deploy` hands it to CloudFormation, with the
    function's code at `code_uri` (where `sam package` would have uploaded it)."""
    template = source_template()
    template["Resources"]["Function"]["Properties"]["CodeUri"] = code_uri
    return _sam_transform(template, dict(parameters))


def render(transformed: dict, parameters: dict[str, str], region: str) -> Stack:
    """A transformed template deployed on paper in `region` of the Production account."""
    return _ProductionAccount(transformed).create_stack(parameters, region=region)


def deploy(**parameters: str) -> Stack:
    """The stack as CloudFormation would create it for these parameters (BucketName preset)."""
    parameters = {"BucketName": BUCKET, **parameters}
    return render(transform(parameters), parameters, "eu-west-1")


def properties(stack: Stack, name: str) -> dict:
    """The rendered properties of a resource; fails the test if the deployment does not create it."""
    return stack.get_resource(name).get_properties_value()


def statements(document: dict) -> list[dict]:
    return document["Statement"]


def canonical(statement_list: list[dict]) -> list[str]:
    """Order-free form of a statement list: scalars and one-item lists compare equal, lists sorted."""

    def norm(value):
        if isinstance(value, dict):
            return {key: norm(item) for key, item in value.items()}
        if isinstance(value, list):
            return sorted((norm(item) for item in value), key=json.dumps)
        return value

    def statement(s: dict) -> str:
        s = dict(s)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in s and not isinstance(s[key], list):
                s[key] = [s[key]]
        if "Principal" in s and isinstance(s["Principal"], dict):
            s["Principal"] = {k: v if isinstance(v, list) else [v] for k, v in s["Principal"].items()}
        if "Condition" in s:
            s["Condition"] = {
                op: {k: v if isinstance(v, list) else [v] for k, v in keys.items()}
                for op, keys in s["Condition"].items()
            }
        return json.dumps(norm(s), sort_keys=True)

    return sorted(statement(s) for s in statement_list)


def assert_same_statements(case: str, actual: list[dict], expected: list[dict]) -> None:
    missing = set(canonical(expected)) - set(canonical(actual))
    extra = set(canonical(actual)) - set(canonical(expected))
    assert not missing and not extra and len(actual) == len(expected), (
        f"{case}: statements differ\n  missing: {sorted(missing)}\n  unexpected: {sorted(extra)}"
    )
