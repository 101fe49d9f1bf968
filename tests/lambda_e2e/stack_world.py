"""Creates the stack of infra/template.yaml on a moto server for the stack-world tests.

    python tests/lambda_e2e/stack_world.py ENDPOINT Name=Value ... < rendered.json
    python tests/lambda_e2e/stack_world.py ENDPOINT --create-key     (prints a new key's ARN)

stdin is what infra/tests/render.py prints for the same parameters (the SAM-transformed
template and its rendering on paper). Runs with the moto virtualenv's python (boto3), before
IAM enforcement starts, and prints one JSON object describing the world (see `main`).

moto's CloudFormation creates the bucket (only its name and default encryption), the topic, the
queues, the key, the log group, the roles, the function, its S3 invoke permission and the event
source mapping. The rest is applied here through the services' own APIs, from the rendered
template with CloudFormation's names substituted by what moto created:
- the bucket's versioning, object ownership, public access block and notification
  configuration, which moto's AWS::S3::Bucket ignores (its lifecycle rules and access logging
  are not applied: the function never sees them);
- the resources moto does not model: AWS::S3::BucketPolicy, AWS::SNS::TopicPolicy,
  AWS::SQS::QueuePolicy and AWS::CloudWatch::Alarm (stored; of the policies only the bucket's
  and the topic's Deny statements are judged, see moto_aws.py), AWS::Lambda::EventInvokeConfig
  (stored by Lambda's API);
- the buckets the template names but does not create (RulesS3Uri's, SigmaRulesS3Uri's,
  PublicKeysS3Uri's, BackfillBucketName);
- each AWS::SNS::Subscription (e-mail in the template) as an SQS queue subscribed with the
  subscription's own filter policy, so a test can read what that team would receive;
- the roles' inline policies and the keys' key policies are put again, unchanged, through IAM's
  and KMS's APIs: moto stores those it creates from a template in a form its IAM checks (and
  its own KMS API) cannot read - an inline policy as the text of a Python dict, with `null`
  where `AWS::NoValue` removed a statement (dropped here, as CloudFormation does).
The event source mapping is disabled after its configuration is recorded: moto would invoke the
function (through Docker) on each message; the test polls the queue with the function role's
credentials instead, as Lambda's poller does.

It also creates the identities the tests act as: `operator`, an administrator of the stack's
account (writes deliveries as CloudTrail would, reads the teams' queues), and `vendor`, a user
of the vendor's account allowed only to call sts:AssumeRole on the vendor role.
"""

from __future__ import annotations

import ast
import io
import json
import sys
import zipfile
from typing import Any

import boto3

REGION = "us-east-1"
STACK = "trailwatch"
CODE_BUCKET, CODE_KEY = "deploy-artifacts", "trailwatch/bootstrap.zip"
INVOCATIONS_QUEUE = "stack-world-invocations"
NOT_MODELLED = {
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::CloudWatch::Alarm",
}


def client(endpoint: str, service: str, account: str | None = None, **creds: str) -> Any:
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    c = boto3.client(service, endpoint_url=endpoint, region_name=REGION, **creds)
    if account:
        c.meta.events.register(
            "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
        )
    return c


def code_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n# moto never runs the function; the tests run the handler.\n")
    return out.getvalue()


def substitute(value: Any, names: dict[str, str]) -> Any:
    """Replaces cloud-radar's stand-ins (`Logical`, `Logical.Attr`, also as an ARN's start)."""
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if isinstance(value, str):
        if value in names:
            return names[value]
        head, sep, tail = value.partition("/")
        if sep and head in names:
            return names[head] + "/" + tail
    return value


def readable(document: Any) -> dict:
    """An inline policy as moto's CloudFormation stores it - the text of a Python dict, with
    `null` where the template's `AWS::NoValue` removed a list item - as CloudFormation stores it."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            document = ast.literal_eval(document)

    def drop_novalue(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: drop_novalue(v) for k, v in value.items()}
        if isinstance(value, list):
            return [drop_novalue(v) for v in value if v is not None]
        return value

    return drop_novalue(document)


def bucket_notifications(cfn: dict) -> dict:
    def filt(c: dict) -> dict:
        return {"Key": {"FilterRules": c["Filter"]["S3Key"]["Rules"]}}

    return {
        "LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": c["Function"], "Events": [c["Event"]], "Filter": filt(c)}
            for c in cfn.get("LambdaConfigurations") or []
        ],
        "QueueConfigurations": [
            {"QueueArn": c["Queue"], "Events": [c["Event"]], "Filter": filt(c)}
            for c in cfn.get("QueueConfigurations") or []
        ],
    }


def main(endpoint: str, parameters: dict[str, str]) -> dict:
    rendered = json.load(sys.stdin)
    s3, sqs, sns = (client(endpoint, s) for s in ("s3", "sqs", "sns"))
    iam, cfn, lam = (client(endpoint, s) for s in ("iam", "cloudformation", "lambda"))
    s3.create_bucket(Bucket=CODE_BUCKET)
    # The custom rules, the Sigma rules and the public-key file live in existing buckets of the
    # account (perhaps one bucket for all three).
    for uri_parameter in ("RulesS3Uri", "SigmaRulesS3Uri", "PublicKeysS3Uri"):
        uri = parameters.get(uri_parameter)
        bucket = uri and uri.removeprefix("s3://").split("/")[0]
        if bucket and bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=bucket)
    if parameters.get("BackfillBucketName"):
        # The stack names an existing bucket for Batch Operations manifests and reports.
        s3.create_bucket(Bucket=parameters["BackfillBucketName"])
    s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=code_zip())
    sqs.create_queue(QueueName=INVOCATIONS_QUEUE)

    cfn.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(rendered["template"]),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise SystemExit(f"stack {stack['StackStatus']}: {stack.get('StackStatusReason')}")
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=STACK)["StackResources"]
        # moto lists a resource it does not model without ids, one it models without a
        # physical id (a Lambda permission) without the latter.
        if "LogicalResourceId" in r and "PhysicalResourceId" in r
    }
    created = rendered["resources"]
    names: dict[str, str] = {}
    for logical, resource in created.items():
        kind, pid = resource["Type"], physical.get(logical)
        if pid is None:
            continue
        names[logical] = pid
        if kind == "AWS::IAM::Role":
            names[f"{logical}.Arn"] = iam.get_role(RoleName=pid)["Role"]["Arn"]
        elif kind == "AWS::SQS::Queue":
            attrs = sqs.get_queue_attributes(QueueUrl=pid, AttributeNames=["QueueArn"])["Attributes"]
            names[f"{logical}.Arn"] = attrs["QueueArn"]
            names[f"{logical}.QueueName"] = attrs["QueueArn"].split(":")[-1]
        elif kind == "AWS::KMS::Key":
            # moto keeps a template's key policy as an object, which its KMS API then fails
            # to read; put it again as the JSON text the API stores.
            kms = client(endpoint, "kms")
            policy = json.dumps(resource["Properties"]["KeyPolicy"])
            kms.put_key_policy(KeyId=pid, PolicyName="default", Policy=policy)
            names[f"{logical}.Arn"] = kms.describe_key(KeyId=pid)["KeyMetadata"]["Arn"]
        elif kind == "AWS::Lambda::Function":
            names[f"{logical}.Arn"] = lam.get_function(FunctionName=pid)["Configuration"]["FunctionArn"]
        elif kind == "AWS::S3::Bucket":
            names[f"{logical}.Arn"] = f"arn:aws:s3:::{pid}"
        elif kind == "AWS::Logs::LogGroup":
            names[f"{logical}.Arn"] = f"arn:aws:logs:{REGION}:123456789012:log-group:{pid}:*"
    resources = {logical: substitute(r["Properties"], names) for logical, r in created.items()}
    types = {logical: r["Type"] for logical, r in created.items()}

    # The roles' inline policies, put again as they are.
    roles: dict[str, dict] = {}
    role_policies: dict[str, dict] = {}
    for logical in (n for n, t in types.items() if t == "AWS::IAM::Role"):
        role = physical[logical]
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        inline = iam.list_role_policies(RoleName=role)["PolicyNames"]
        roles[logical] = {"managed_policies": [a["PolicyArn"] for a in attached], "inline_policies": inline}
        for name in inline:
            document = readable(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))
            role_policies.setdefault(logical, {})[name] = document

    applied: list[str] = []
    for logical, kind in types.items():
        props = resources[logical]
        if kind == "AWS::S3::Bucket":
            bucket = physical[logical]
            if "VersioningConfiguration" in props:
                s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=props["VersioningConfiguration"])
            if "OwnershipControls" in props:
                s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=props["OwnershipControls"])
            if "PublicAccessBlockConfiguration" in props:
                s3.put_public_access_block(
                    Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
                )
            if "NotificationConfiguration" in props:
                s3.put_bucket_notification_configuration(
                    Bucket=bucket, NotificationConfiguration=bucket_notifications(props["NotificationConfiguration"])
                )
            applied.append(f"{logical}: versioning, ownership, public access block, notifications")
        elif kind == "AWS::S3::BucketPolicy":
            s3.put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"]))
        elif kind == "AWS::SNS::TopicPolicy":
            for topic in props["Topics"]:
                sns.set_topic_attributes(
                    TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(props["PolicyDocument"])
                )
        elif kind == "AWS::SQS::QueuePolicy":
            for queue in props["Queues"]:
                sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(props["PolicyDocument"])})
        elif kind == "AWS::Lambda::EventInvokeConfig":
            lam.put_function_event_invoke_config(
                FunctionName=props["FunctionName"],
                Qualifier=props["Qualifier"],
                MaximumRetryAttempts=int(props["MaximumRetryAttempts"]),
                MaximumEventAgeInSeconds=int(props["MaximumEventAgeInSeconds"]),
                DestinationConfig=props["DestinationConfig"],
            )
        elif kind == "AWS::CloudWatch::Alarm":
            alarm = {k: v for k, v in props.items() if k not in ("AlarmActions", "OKActions") or v}
            # A metric-math alarm has its periods in its queries, not at the top.
            for number in ("Period", "EvaluationPeriods", "Threshold"):
                if number in alarm:
                    alarm[number] = float(alarm[number]) if number == "Threshold" else int(alarm[number])
            for query in alarm.get("Metrics", []):
                if "MetricStat" in query:
                    query["MetricStat"]["Period"] = int(query["MetricStat"]["Period"])
            client(endpoint, "cloudwatch").put_metric_alarm(AlarmName=f"{STACK}-{logical}", **alarm)
        else:
            continue
        if kind in NOT_MODELLED:
            applied.append(f"{logical} ({kind})")

    teams: dict[str, dict] = {}
    for logical in (n for n, t in types.items() if t == "AWS::SNS::Subscription"):
        props = resources[logical]
        url = sqs.create_queue(QueueName=f"team-{logical}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"RawMessageDelivery": "true"}
        if "FilterPolicy" in props:
            attributes["FilterPolicy"] = json.dumps(props["FilterPolicy"])
            attributes["FilterPolicyScope"] = props.get("FilterPolicyScope", "MessageAttributes")
        sns.subscribe(TopicArn=props["TopicArn"], Protocol="sqs", Endpoint=arn, Attributes=attributes)
        teams[logical] = {"queue_url": url, "filter_policy": props.get("FilterPolicy"), "replaces": props["Protocol"]}
        applied.append(f"{logical} (AWS::SNS::Subscription, as an SQS queue)")

    mapping = None
    if "BufferQueueMapping" in physical:
        mapping = lam.get_event_source_mapping(UUID=physical["BufferQueueMapping"])
        lam.update_event_source_mapping(UUID=physical["BufferQueueMapping"], Enabled=False)
        mapping = {k: mapping.get(k) for k in ("EventSourceArn", "FunctionArn", "BatchSize", "FunctionResponseTypes")}

    function = lam.get_function_configuration(FunctionName=physical["Function"])
    iam.create_user(UserName="operator")
    iam.put_user_policy(
        UserName="operator",
        PolicyName="administrator",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    operator = iam.create_access_key(UserName="operator")["AccessKey"]
    vendor = None
    if "VendorReadRole" in physical:
        vendor_iam = client(endpoint, "iam", account=parameters["VendorAccountId"])
        vendor_iam.create_user(UserName="vendor-reader")
        vendor_iam.put_user_policy(
            UserName="vendor-reader",
            PolicyName="assume-customer-role",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": names["VendorReadRole.Arn"]}],
                }
            ),
        )
        vendor = vendor_iam.create_access_key(UserName="vendor-reader")["AccessKey"]

    def keys(k: dict | None) -> dict | None:
        return k and {"access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"]}

    return {
        "names": names,
        "roles": roles,
        "role_policies": role_policies,
        "types": types,
        "resources": resources,
        "applied": applied,
        "teams": teams,
        "event_source_mapping": mapping,
        "environment": function.get("Environment", {}).get("Variables", {}),
        "function_role_arn": function["Role"],
        "invocations_queue_url": sqs.get_queue_url(QueueName=INVOCATIONS_QUEUE)["QueueUrl"],
        "operator": keys(operator),
        "vendor": keys(vendor),
    }


def create_key(endpoint: str) -> str:
    """A customer managed key of the stack's account, for an SSE-KMS trail (TrailKmsKeyArn)."""
    kms = client(endpoint, "kms")
    return kms.create_key(Description="the trails' SSE-KMS key")["KeyMetadata"]["Arn"]


if __name__ == "__main__":
    if sys.argv[2:] == ["--create-key"]:
        print(create_key(sys.argv[1]))
        sys.exit(0)
    params = dict(item.partition("=")[::2] for item in sys.argv[2:])
    json.dump(main(sys.argv[1], params), sys.stdout, default=str)
