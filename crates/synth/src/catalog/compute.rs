//! EC2, Auto Scaling, load balancers, ECR, EKS and Lambda calls.

use serde_json::{json, Value};

use super::super::json;
use super::{Call, Gen};

const EC2: &str = "ec2.amazonaws.com";
const LAMBDA: &str = "lambda.amazonaws.com";

/// EC2's filter list shape: `{"items":[{"name":..,"valueSet":{"items":[{"value":..}]}}]}`.
fn filters(pairs: &[(&str, String)]) -> Value {
    let items: Vec<Value> = pairs
        .iter()
        .map(|(name, value)| json!({"name": name, "valueSet": {"items": [{"value": value}]}}))
        .collect();
    json!({ "items": items })
}

fn ec2_tag_set(g: &mut Gen<'_>, name: &str) -> Value {
    let team = g.team();
    let env = g.environment();
    json!({"items": [
        {"key": "Name", "value": name},
        {"key": "Team", "value": team},
        {"key": "Environment", "value": env},
    ]})
}

pub(super) fn describe_instances(g: &mut Gen<'_>) -> Call {
    let mut pairs = vec![("instance-state-name", "running".to_string())];
    if g.rng.chance(500) {
        let env = g.environment();
        pairs.push(("tag:Environment", env.to_string()));
    }
    let ids: Vec<Value> = if g.rng.chance(300) {
        (0..g.rng.between(1, 12))
            .map(|_| json!({"instanceId": g.instance_id()}))
            .collect()
    } else {
        Vec::new()
    };
    let instances = if ids.is_empty() {
        json!({})
    } else {
        json!({ "items": ids })
    };
    Call::new(
        EC2,
        "DescribeInstances",
        true,
        json!({"instancesSet": instances, "filterSet": filters(&pairs)}),
        Value::Null,
    )
}

pub(super) fn describe_network(g: &mut Gen<'_>) -> Call {
    let vpc = g.hex_id("vpc");
    let vpc_filter = filters(&[("vpc-id", vpc)]);
    let (name, request) = match g.rng.below(6) {
        0 => (
            "DescribeSecurityGroups",
            json!({"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": vpc_filter}),
        ),
        1 => (
            "DescribeSubnets",
            json!({"subnetSet": {}, "filterSet": vpc_filter}),
        ),
        2 => ("DescribeVpcs", json!({"vpcSet": {}, "filterSet": {}})),
        3 => {
            let instance = g.instance_id();
            (
                "DescribeVolumes",
                json!({"volumeSet": {}, "filterSet": filters(&[("attachment.instance-id", instance)])}),
            )
        }
        4 => (
            "DescribeSnapshots",
            json!({"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "sharedUsersSet": {}, "filterSet": {}}),
        ),
        _ => (
            "DescribeNetworkInterfaces",
            json!({"networkInterfaceIdSet": {}, "filterSet": vpc_filter}),
        ),
    };
    Call::new(EC2, name, true, request, Value::Null)
}

/// The largest ordinary records: a launch echoes every instance's full description.
pub(super) fn run_instances(g: &mut Gen<'_>) -> Call {
    let count = g.rng.between(1, 6);
    let image = g.hex_id("ami");
    let instance_type = g
        .rng
        .pick(&["t3.micro", "m6i.large", "c7g.xlarge", "r6g.2xlarge"]);
    let subnet = g.hex_id("subnet");
    let vpc = g.hex_id("vpc");
    let group = g.hex_id("sg");
    let az = g.az();
    let name = format!(
        "{}-worker",
        g.rng.pick(&["orders", "ingest", "batch", "web"])
    );
    let tags = ec2_tag_set(g, &name);
    let client_token = g.rng.uuid();
    let launch = g.at.epoch_millis();
    // Graviton families end in "g" (c7g, r6g).
    let graviton = instance_type
        .split('.')
        .next()
        .is_some_and(|family| family.ends_with('g'));
    let architecture = if graviton { "arm64" } else { "x86_64" };
    let instances: Vec<Value> = (0..count)
        .map(|i| {
            let ip = g.private_ip();
            let dns = format!("ip-{}.ec2.internal", ip.replace('.', "-"));
            let interface = json!({
                "networkInterfaceId": g.hex_id("eni"),
                "subnetId": subnet,
                "vpcId": vpc,
                "ownerId": g.account,
                "requesterManaged": false,
                "status": "in-use",
                "macAddress": format!("0a:{}:{}:{}:{}:{}", g.rng.hex(2), g.rng.hex(2), g.rng.hex(2), g.rng.hex(2), g.rng.hex(2)),
                "privateIpAddress": ip,
                "privateDnsName": dns,
                "sourceDestCheck": true,
                "interfaceType": "interface",
                "groupSet": {"items": [{"groupId": group, "groupName": "workers"}]},
                "attachment": {
                    "attachmentId": g.hex_id("eni-attach"),
                    "deviceIndex": 0,
                    "networkCardIndex": 0,
                    "status": "attaching",
                    "attachTime": launch,
                    "deleteOnTermination": true,
                },
                "privateIpAddressesSet": {"item": [{"privateIpAddress": ip, "privateDnsName": dns, "primary": true}]},
                "ipv6AddressesSet": {},
                "tagSet": {},
            });
            json!({
                "instanceId": g.instance_id(),
                "imageId": image,
                "currentInstanceBootMode": "uefi",
                "instanceState": {"code": 0, "name": "pending"},
                "privateDnsName": dns,
                "amiLaunchIndex": i,
                "productCodes": {},
                "instanceType": instance_type,
                "launchTime": launch,
                "placement": {"availabilityZone": az, "tenancy": "default"},
                "monitoring": {"state": "disabled"},
                "subnetId": subnet,
                "vpcId": vpc,
                "privateIpAddress": ip,
                "stateReason": {"code": "pending", "message": "pending"},
                "architecture": architecture,
                "rootDeviceType": "ebs",
                "rootDeviceName": "/dev/xvda",
                "blockDeviceMapping": {},
                "virtualizationType": "hvm",
                "hypervisor": "xen",
                "tagSet": tags,
                "clientToken": client_token,
                "groupSet": {"items": [{"groupId": group, "groupName": "workers"}]},
                "sourceDestCheck": true,
                "networkInterfaceSet": {"items": [interface]},
                "ebsOptimized": false,
                "enaSupport": true,
                "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
                "capacityReservationSpecification": {"capacityReservationPreference": "open"},
                "enclaveOptions": {"enabled": false},
                "metadataOptions": {
                    "state": "pending",
                    "httpTokens": "required",
                    "httpPutResponseHopLimit": 2,
                    "httpEndpoint": "enabled",
                    "httpProtocolIpv4": "enabled",
                    "httpProtocolIpv6": "disabled",
                    "instanceMetadataTags": "disabled",
                },
                "maintenanceOptions": {"autoRecovery": "default"},
                "privateDnsNameOptions": {
                    "hostnameType": "ip-name",
                    "enableResourceNameDnsARecord": false,
                    "enableResourceNameDnsAAAARecord": false,
                },
            })
        })
        .collect();
    let request = json!({
        "instancesSet": {"items": [{"imageId": image, "minCount": count, "maxCount": count}]},
        "instanceType": instance_type,
        "blockDeviceMapping": {},
        "subnetId": subnet,
        "monitoring": {"enabled": false},
        "disableApiTermination": false,
        "disableApiStop": false,
        "clientToken": client_token,
        "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": tags["items"]}]},
        "launchTemplate": {"launchTemplateId": g.hex_id("lt"), "version": "$Latest"},
    });
    let response = json!({
        "requestId": g.request_id,
        "reservationId": g.hex_id("r"),
        "ownerId": g.account,
        "groupSet": {},
        "instancesSet": {"items": instances},
    });
    Call::new(EC2, "RunInstances", false, request, response)
}

fn state_change(g: &mut Gen<'_>, name: &'static str, from: (u32, &str), to: (u32, &str)) -> Call {
    let ids: Vec<String> = (0..g.rng.between(1, 3)).map(|_| g.instance_id()).collect();
    let request: Vec<Value> = ids.iter().map(|id| json!({"instanceId": id})).collect();
    let changes: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({
                "instanceId": id,
                "currentState": {"code": to.0, "name": to.1},
                "previousState": {"code": from.0, "name": from.1},
            })
        })
        .collect();
    Call::new(
        EC2,
        name,
        false,
        json!({"instancesSet": {"items": request}}),
        json!({"requestId": g.request_id, "instancesSet": {"items": changes}}),
    )
}

pub(super) fn terminate_instances(g: &mut Gen<'_>) -> Call {
    state_change(
        g,
        "TerminateInstances",
        (16, "running"),
        (32, "shutting-down"),
    )
}

pub(super) fn start_stop_instances(g: &mut Gen<'_>) -> Call {
    if g.rng.chance(500) {
        state_change(g, "StartInstances", (80, "stopped"), (0, "pending"))
    } else {
        state_change(g, "StopInstances", (16, "running"), (64, "stopping"))
    }
}

pub(super) fn create_tags(g: &mut Gen<'_>) -> Call {
    let resource = if g.rng.chance(600) {
        g.instance_id()
    } else {
        g.hex_id("vol")
    };
    let team = g.team();
    Call::new(
        EC2,
        "CreateTags",
        false,
        json!({
            "resourcesSet": {"items": [{"resourceId": resource}]},
            "tagSet": {"items": [{"key": "Team", "value": team}, {"key": "Backup", "value": "daily"}]},
        }),
        json!({"requestId": g.request_id, "_return": true}),
    )
}

pub(super) fn create_snapshot(g: &mut Gen<'_>) -> Call {
    let volume = g.hex_id("vol");
    let key = g.kms_key_arn();
    let description = format!("Nightly backup of {volume}");
    Call::new(
        EC2,
        "CreateSnapshot",
        false,
        json!({"volumeId": volume, "description": description}),
        json!({
            "requestId": g.request_id,
            "snapshotId": g.hex_id("snap"),
            "volumeId": volume,
            "status": "pending",
            "startTime": g.at.epoch_millis(),
            "progress": "",
            "ownerId": g.account,
            "volumeSize": g.rng.pick(&[8, 20, 100, 500]),
            "description": description,
            "encrypted": true,
            "kmsKeyId": key,
        }),
    )
}

pub(super) fn describe_auto_scaling_groups(g: &mut Gen<'_>) -> Call {
    let request = if g.rng.chance(500) {
        json!({"autoScalingGroupNames": [format!("eks-workers-{}", g.rng.hex(8))]})
    } else {
        json!({"maxRecords": 100})
    };
    Call::new(
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        true,
        request,
        Value::Null,
    )
}

pub(super) fn describe_target_health(g: &mut Gen<'_>) -> Call {
    let group = format!(
        "arn:aws:elasticloadbalancing:{}:{}:targetgroup/orders-api-tg/{}",
        g.region,
        g.account,
        g.rng.hex(16)
    );
    Call::new(
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        true,
        json!({"targetGroupArn": group}),
        Value::Null,
    )
    .api_version("2015-12-01")
}

pub(super) fn ecr_pull(g: &mut Gen<'_>) -> Call {
    let repo = g
        .rng
        .pick(&["orders-api", "ingest-worker", "platform/nginx"])
        .to_string();
    let resources = json!([{
        "accountId": g.account,
        "ARN": format!("arn:aws:ecr:{}:{}:repository/{repo}", g.region, g.account),
    }]);
    let call = match g.rng.below(3) {
        0 => Call::new(
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            true,
            json!({"registryIds": [g.account]}),
            Value::Null,
        ),
        1 => Call::new(
            "ecr.amazonaws.com",
            "BatchGetImage",
            true,
            json!({
                "imageIds": [{"imageTag": format!("v1.{}.{}", g.rng.between(0, 60), g.rng.between(0, 9))}],
                "acceptedMediaTypes": [
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.oci.image.index.v1+json",
                ],
                "repositoryName": repo,
                "registryId": g.account,
            }),
            Value::Null,
        )
        .resources(resources),
        _ => Call::new(
            "ecr.amazonaws.com",
            "GetDownloadUrlForLayer",
            true,
            json!({
                "registryId": g.account,
                "repositoryName": repo,
                "layerDigest": format!("sha256:{}", g.rng.hex(64)),
            }),
            Value::Null,
        )
        .resources(resources),
    };
    call.version("1.08")
}

pub(super) fn describe_cluster(g: &mut Gen<'_>) -> Call {
    let env = g.environment();
    Call::new(
        "eks.amazonaws.com",
        "DescribeCluster",
        true,
        json!({"name": format!("platform-{env}")}),
        Value::Null,
    )
}

pub(super) fn lambda_read(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    match g.rng.below(3) {
        0 => Call::new(
            LAMBDA,
            "ListFunctions20150331",
            true,
            Value::Null,
            Value::Null,
        ),
        1 => Call::new(
            LAMBDA,
            "GetFunction20150331v2",
            true,
            json!({"functionName": function}),
            Value::Null,
        ),
        _ => Call::new(
            LAMBDA,
            "GetFunctionConfiguration20150331v2",
            true,
            json!({"functionName": function}),
            Value::Null,
        ),
    }
}

pub(super) fn update_function_code(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    let arn = g.function_arn(function);
    let bucket = g.bucket();
    let key = format!("lambda/{function}/{}.zip", g.rng.hex(32));
    let team = g.team();
    let response = json!({
        "functionName": function,
        "functionArn": arn,
        "runtime": "python3.12",
        "role": g.role_arn("ingest-lambda-role"),
        "handler": "app.handler",
        "codeSize": g.rng.between(4_000, 40_000_000),
        "description": format!("{function} — maintenu par {team}"),
        "timeout": 30,
        "memorySize": g.rng.pick(&[128, 256, 512, 1024]),
        "lastModified": format!("{}.{:03}+0000", g.at.iso().trim_end_matches('Z'), g.rng.below(1000)),
        "codeSha256": format!("{}=", g.rng.base64(43)),
        "version": "$LATEST",
        "environment": {},
        "tracingConfig": {"mode": "PassThrough"},
        "revisionId": g.rng.uuid(),
        "state": "Active",
        "lastUpdateStatus": "InProgress",
        "lastUpdateStatusReason": "The function is being created.",
        "lastUpdateStatusReasonCode": "Creating",
        "packageType": "Zip",
        "architectures": ["arm64"],
        "ephemeralStorage": {"size": 512},
        "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
        "runtimeVersionConfig": {"runtimeVersionArn": format!("arn:aws:lambda:{}::runtime:{}", g.region, g.rng.hex(64))},
        "loggingConfig": {"logFormat": "Text", "logGroup": format!("/aws/lambda/{function}")},
    });
    Call::new(
        LAMBDA,
        "UpdateFunctionCode20150331v2",
        false,
        json!({"functionName": arn, "s3Bucket": bucket, "s3Key": key, "publish": false, "dryRun": false}),
        response,
    )
}

/// The response carries the new policy statement as a JSON string, so its quotes are escaped.
pub(super) fn add_permission(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    let arn = g.function_arn(function);
    let bucket = g.bucket();
    let sid = format!("s3-invoke-{}", g.rng.hex(8));
    let statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": g.account},
            "ArnLike": {"AWS:SourceArn": format!("arn:aws:s3:::{bucket}")},
        },
    });
    Call::new(
        LAMBDA,
        "AddPermission20150331v2",
        false,
        json!({
            "functionName": function,
            "statementId": sid,
            "action": "lambda:InvokeFunction",
            "principal": "s3.amazonaws.com",
            "sourceArn": format!("arn:aws:s3:::{bucket}"),
            "sourceAccount": g.account,
        }),
        json!({"statement": json::text(&statement)}),
    )
}

pub(super) fn invoke(g: &mut Gen<'_>) -> Call {
    let function = g.function();
    let arn = g.function_arn(function);
    Call::new(
        LAMBDA,
        "Invoke",
        false,
        json!({"functionName": arn, "invocationType": "RequestResponse"}),
        Value::Null,
    )
    .additional(json!({"functionVersion": format!("{arn}:$LATEST")}))
    .resources(json!([{"accountId": g.account, "type": "AWS::Lambda::Function", "ARN": arn}]))
    .data_event()
    .version("1.08")
}
