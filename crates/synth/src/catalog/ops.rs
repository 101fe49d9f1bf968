//! CloudFormation, CloudWatch Logs and metrics, Systems Manager, Route 53 and SNS calls.

use serde_json::{json, Value};

use super::super::json;
use super::{Call, Gen};

const CLOUDFORMATION: &str = "cloudformation.amazonaws.com";
const LOGS: &str = "logs.amazonaws.com";
const MONITORING: &str = "monitoring.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";

const STACKS: &[&str] = &[
    "orders-api-production",
    "platform-network",
    "CDKToolkit",
    "ingest-pipeline",
];

fn stack_arn(g: &mut Gen<'_>, stack: &str) -> String {
    format!(
        "arn:aws:cloudformation:{}:{}:stack/{stack}/{}",
        g.region,
        g.account,
        g.rng.uuid()
    )
}

pub(super) fn cloudformation_read(g: &mut Gen<'_>) -> Call {
    let stack = g.rng.pick(STACKS);
    let (name, request) = match g.rng.below(5) {
        0 | 1 => ("DescribeStacks", json!({ "stackName": stack })),
        2 => ("DescribeStackEvents", json!({ "stackName": stack })),
        3 => (
            "ListStacks",
            json!({"stackStatusFilter": ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"]}),
        ),
        _ => (
            "GetTemplate",
            json!({"stackName": stack, "templateStage": "Original"}),
        ),
    };
    Call::new(CLOUDFORMATION, name, true, request, Value::Null)
}

/// The template travels as one JSON string: many escaped quotes and newlines.
pub(super) fn validate_template(g: &mut Gen<'_>) -> Call {
    let team = g.team();
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("Queue and alarms for {team}"),
        "Parameters": {"Environment": {"Type": "String", "AllowedValues": ["production", "staging", "dev"]}},
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {
                "QueueName": {"Fn::Sub": "orders-${Environment}"},
                "KmsMasterKeyId": "alias/orders",
                "VisibilityTimeout": 60,
            }},
            "DepthAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}],
                "Statistic": "Maximum",
                "Period": 300,
                "EvaluationPeriods": 3,
                "Threshold": 1000,
                "ComparisonOperator": "GreaterThanThreshold",
            }},
        },
        "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}},
    });
    // Templates pasted from editors keep their line breaks.
    let body = json::text(&template).replace(",\"", ",\n  \"");
    Call::new(
        CLOUDFORMATION,
        "ValidateTemplate",
        true,
        json!({ "templateBody": body }),
        Value::Null,
    )
}

pub(super) fn create_or_update_stack(g: &mut Gen<'_>) -> Call {
    let stack = g.rng.pick(STACKS);
    let arn = stack_arn(g, stack);
    let team = g.team();
    let env = g.environment();
    let tags = g.tags();
    let create = g.rng.chance(300);
    let name = if create { "CreateStack" } else { "UpdateStack" };
    let request = json!({
        "stackName": stack,
        "templateURL": format!("https://s3.{}.amazonaws.com/cdk-hnb659fds-assets-{}-{}/{}.json", g.region, g.account, g.region, g.rng.hex(64)),
        "parameters": [
            {"parameterKey": "Environment", "parameterValue": env},
            {"parameterKey": "TeamName", "parameterValue": team},
            {"parameterKey": "BootstrapVersion", "parameterValue": "/cdk-bootstrap/hnb659fds/version"},
        ],
        "capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        "roleARN": format!("arn:aws:iam::{}:role/cdk-hnb659fds-cfn-exec-role-{}-{}", g.account, g.account, g.region),
        "notificationARNs": [],
        "tags": tags,
        "clientRequestToken": format!("exec-{}", g.rng.uuid()),
    });
    Call::new(
        CLOUDFORMATION,
        name,
        false,
        request,
        json!({ "stackId": arn }),
    )
}

pub(super) fn create_log_stream(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    let (y, mo, d) = g.at.day();
    Call::new(
        LOGS,
        "CreateLogStream",
        false,
        json!({
            "logGroupName": format!("/aws/lambda/{function}"),
            "logStreamName": format!("{y:04}/{mo:02}/{d:02}/[$LATEST]{}", g.rng.hex(32)),
        }),
        Value::Null,
    )
}

/// Includes a filter pattern in a request: CloudWatch Logs syntax quoted inside a record.
pub(super) fn logs_read(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    let group = format!("/aws/lambda/{function}");
    let (name, request) = if g.rng.chance(500) {
        (
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "/aws/lambda/", "limit": 50}),
        )
    } else {
        (
            "FilterLogEvents",
            json!({
                "logGroupName": group,
                "filterPattern": "{ $.level = \"ERROR\" && $.message != \"*timeout*\" }",
                "startTime": g.at.earlier(3600).epoch_millis(),
                "endTime": g.at.epoch_millis(),
                "interleaved": true,
            }),
        )
    };
    Call::new(LOGS, name, true, request, Value::Null)
}

pub(super) fn put_retention_policy(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    Call::new(
        LOGS,
        "PutRetentionPolicy",
        false,
        json!({"logGroupName": format!("/aws/lambda/{function}"), "retentionInDays": g.rng.pick(&[14, 30, 90, 365])}),
        Value::Null,
    )
}

pub(super) fn cloudwatch_read(g: &mut Gen<'_>) -> Call {
    let (name, request) = if g.rng.chance(500) {
        (
            "DescribeAlarms",
            json!({"maxRecords": 100, "stateValue": "ALARM"}),
        )
    } else {
        let instance = g.instance_id();
        (
            "GetMetricData",
            json!({
                "metricDataQueries": [{
                    "id": "m1",
                    "metricStat": {
                        "metric": {
                            "namespace": "AWS/EC2",
                            "metricName": "CPUUtilization",
                            "dimensions": [{"name": "InstanceId", "value": instance}],
                        },
                        "period": 300,
                        "stat": "Average",
                    },
                    "returnData": true,
                }],
                "startTime": g.at.earlier(10_800).iam_style(),
                "endTime": g.at.iam_style(),
            }),
        )
    };
    Call::new(MONITORING, name, true, request, Value::Null)
}

pub(super) fn put_metric_alarm(g: &mut Gen<'_>) -> Call {
    let team = g.team();
    Call::new(
        MONITORING,
        "PutMetricAlarm",
        false,
        json!({
            "alarmName": "orders-api-5xx",
            "alarmDescription": format!("Erreurs 5xx — prévenir {team}"),
            "actionsEnabled": true,
            "alarmActions": [format!("arn:aws:sns:{}:{}:oncall-pager", g.region, g.account)],
            "metricName": "HTTPCode_Target_5XX_Count",
            "namespace": "AWS/ApplicationELB",
            "statistic": "Sum",
            "dimensions": [{"name": "LoadBalancer", "value": format!("app/orders-api/{}", g.rng.hex(16))}],
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 10.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        }),
        Value::Null,
    )
}

pub(super) fn update_instance_information(g: &mut Gen<'_>) -> Call {
    let instance = g.instance_id();
    let ip = g.private_ip();
    let az = g.az();
    Call::new(
        SSM,
        "UpdateInstanceInformation",
        false,
        json!({
            "instanceId": instance,
            "agentVersion": "3.3.131.0",
            "agentStatus": "Active",
            "platformType": "Linux",
            "platformName": "Amazon Linux",
            "platformVersion": "2023",
            "iPAddress": ip,
            "computerName": format!("ip-{}.{}.compute.internal", ip.replace('.', "-"), g.region),
            "agentName": "amazon-ssm-agent",
            "availabilityZone": az,
        }),
        Value::Null,
    )
}

pub(super) fn get_parameters(g: &mut Gen<'_>) -> Call {
    let env = g.environment();
    let (name, request) = if g.rng.chance(700) {
        (
            "GetParameter",
            json!({"name": format!("/orders/{env}/db-host"), "withDecryption": true}),
        )
    } else {
        (
            "GetParameters",
            json!({
                "names": [format!("/orders/{env}/db-host"), format!("/orders/{env}/feature-flags"), "/platform/ami/latest"],
                "withDecryption": true,
            }),
        )
    };
    Call::new(SSM, name, true, request, Value::Null)
}

pub(super) fn route53(g: &mut Gen<'_>) -> Call {
    let zone = format!("Z0{}", g.rng.upper_alnum(19));
    let call = if g.rng.chance(600) {
        Call::new(
            "route53.amazonaws.com",
            "ListHostedZones",
            true,
            Value::Null,
            Value::Null,
        )
    } else {
        Call::new(
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            false,
            json!({
                "hostedZoneId": zone,
                "changeBatch": {"changes": [{
                    "action": "UPSERT",
                    "resourceRecordSet": {
                        "name": "api.example.com",
                        "type": "CNAME",
                        "tTL": 300,
                        "resourceRecords": [{"value": format!("orders-api-{}.{}.elb.amazonaws.com", g.rng.between(100_000_000, 999_999_999), g.region)}],
                    },
                }]},
            }),
            json!({"changeInfo": {
                "id": format!("/change/C0{}", g.rng.upper_alnum(19)),
                "status": "PENDING",
                "submittedAt": g.at.iam_style(),
            }}),
        )
    };
    call.host("route53.amazonaws.com".into())
        .api_version("2013-04-01")
}

pub(super) fn sns_read(g: &mut Gen<'_>) -> Call {
    let request = if g.rng.chance(500) {
        Value::Null
    } else {
        json!({"topicArn": format!("arn:aws:sns:{}:{}:oncall-pager", g.region, g.account)})
    };
    let name = if request.is_null() {
        "ListTopics"
    } else {
        "GetTopicAttributes"
    };
    Call::new("sns.amazonaws.com", name, true, request, Value::Null)
}
