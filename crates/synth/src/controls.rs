//! Records that fire one CIS control each, and near misses that look alike but fire none.
//!
//! A hit is what the control exists to catch, shaped as the real event is (a root console
//! sign-in, `StopLogging` on the organisation trail, a security group opened to the world),
//! and fires exactly its control: e.g. the Organizations change uses `AttachPolicy`, not
//! `CreatePolicy`, which CloudWatch.4 would also match by name.

use serde_json::{json, Value};

use super::catalog::storage::on_bucket;
use super::catalog::{federated_console_login, Call, Gen};
use super::clock::Stamp;
use super::identity::{self, Actor, Callers};
use super::record::{assemble, Failure, Site};
use super::rng::Rng;

/// The controls [`cis_hit`](super::cis_hit) knows, in the order of the built-in pack.
pub const CONTROLS: &[&str] = &[
    "CloudWatch.1",
    "CloudWatch.2",
    "CloudWatch.3",
    "CloudWatch.4",
    "CloudWatch.5",
    "CloudWatch.6",
    "CloudWatch.7",
    "CloudWatch.8",
    "CloudWatch.9",
    "CloudWatch.10",
    "CloudWatch.11",
    "CloudWatch.12",
    "CloudWatch.13",
    "CloudWatch.14",
    "CIS.4.15",
];

/// The near misses [`near_miss`](super::near_miss) knows.
pub const NEAR_MISSES: &[&str] = &[
    "root-invoked-by",
    "console-login-mfa",
    "federated-console-login",
    "dry-run",
    "disable-key-rotation",
    "throttled",
];

const EC2: &str = "ec2.amazonaws.com";

/// What one hit or near miss is made of.
struct Scene {
    actor: Actor,
    call: Call,
    failure: Option<Failure>,
}

/// The record of `control` (one of [`CONTROLS`]) or `None` for an unknown control or an
/// `event_time` that is not `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn cis_hit(
    control: &str,
    account: &str,
    region: &str,
    event_time: &str,
) -> Option<Value> {
    let at = Stamp::parse(event_time)?;
    let mut rng = Rng::from_parts(&["hit", control, account, region, event_time]);
    let request_id = rng.uuid();
    let mut gen = Gen {
        rng: &mut rng,
        account,
        region,
        at,
        request_id: request_id.clone(),
    };
    let scene = hit_scene(&mut gen, control)?;
    Some(assemble(
        &mut rng,
        Site {
            account,
            region,
            at,
        },
        &scene.actor,
        scene.call,
        request_id,
        scene.failure,
    ))
}

/// The record of near miss `name` (one of [`NEAR_MISSES`]), with the same `None` cases.
pub(crate) fn near_miss(
    name: &str,
    account: &str,
    region: &str,
    event_time: &str,
) -> Option<Value> {
    let at = Stamp::parse(event_time)?;
    let mut rng = Rng::from_parts(&["near-miss", name, account, region, event_time]);
    let request_id = rng.uuid();
    let mut gen = Gen {
        rng: &mut rng,
        account,
        region,
        at,
        request_id: request_id.clone(),
    };
    let scene = near_miss_scene(&mut gen, name)?;
    Some(assemble(
        &mut rng,
        Site {
            account,
            region,
            at,
        },
        &scene.actor,
        scene.call,
        request_id,
        scene.failure,
    ))
}

/// A person working through an SSO permission set (console or CLI).
fn person(g: &mut Gen<'_>, call: &Call, permission_set: &'static str) -> Actor {
    identity::ordinary_actor(
        g.rng,
        g.account,
        g.at,
        Callers::PermissionSet(permission_set),
        call.service(),
        call.operation(),
    )
}

/// An administrator: the changes the controls watch for need admin rights to succeed.
fn admin(g: &mut Gen<'_>, call: &Call) -> Actor {
    person(g, call, "AdministratorAccess")
}

fn scene(g: &mut Gen<'_>, call: Call) -> Scene {
    let actor = admin(g, &call);
    Scene {
        actor,
        call,
        failure: None,
    }
}

/// A person signing in to the console: the identity is given, address and browser are not.
fn console_sign_in(g: &mut Gen<'_>, identity: Value, mfa: bool, success: bool) -> Scene {
    let arn = identity["arn"].as_str().unwrap_or_default().to_string();
    let actor = Actor {
        identity,
        arn,
        source_ip: identity::public_ip(g.rng),
        user_agent: identity::browser(g.rng),
        tls: true,
        console: false,
        vpc_endpoint: false,
    };
    let call = Call::new(
        "signin.amazonaws.com",
        "ConsoleLogin",
        false,
        Value::Null,
        json!({"ConsoleLogin": if success { "Success" } else { "Failure" }}),
    )
    .additional(json!({
        "LoginTo": format!("https://console.aws.amazon.com/console/home?region={}&state=hashArgs%23&isauthcode=true", g.region),
        "MobileVersion": "No",
        "MFAUsed": if mfa { "Yes" } else { "No" },
    }))
    .event_type("AwsConsoleSignIn")
    .host("signin.aws.amazon.com".into());
    let failure = (!success).then(|| Failure {
        code: None,
        message: "Failed authentication".into(),
    });
    Scene {
        actor,
        call,
        failure,
    }
}

fn ec2_ok(g: &Gen<'_>, name: &'static str, request: Value) -> Call {
    Call::new(
        EC2,
        name,
        false,
        request,
        json!({"requestId": g.request_id, "_return": true}),
    )
}

fn hit_scene(g: &mut Gen<'_>, control: &str) -> Option<Scene> {
    let scene = match control {
        "CloudWatch.1" => {
            let root = identity::root(g.account, None);
            console_sign_in(g, root, true, true)
        }
        "CloudWatch.2" => {
            let instance = g.instance_id();
            let call = Call::new(
                EC2,
                "TerminateInstances",
                false,
                json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
                Value::Null,
            );
            let actor = person(g, &call, "ReadOnlyAccess");
            let action = "ec2:TerminateInstances";
            let message = format!(
                "You are not authorized to perform this operation. User: {} is not authorized to perform: {action} on resource: \
                 arn:aws:ec2:{}:{}:instance/{instance} because no identity-based policy allows the {action} action. \
                 Encoded authorization failure message: {}",
                actor.arn,
                g.region,
                g.account,
                g.rng.base64(900)
            );
            Scene {
                actor,
                call,
                failure: Some(Failure {
                    code: Some("Client.UnauthorizedOperation".into()),
                    message,
                }),
            }
        }
        "CloudWatch.3" => {
            let user = identity::iam_user(g.account, "ops-shared", false);
            console_sign_in(g, user, false, true)
        }
        "CloudWatch.4" => {
            let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"TempDebug\",\n      \
                          \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
            let call = Call::new(
                "iam.amazonaws.com",
                "PutRolePolicy",
                false,
                json!({"roleName": "orders-api-task-role", "policyName": "temp-debug-s3", "policyDocument": policy}),
                Value::Null,
            )
            .host("iam.amazonaws.com".into());
            scene(g, call)
        }
        "CloudWatch.5" => {
            let trail = g.trail_arn();
            let call = Call::new(
                "cloudtrail.amazonaws.com",
                "StopLogging",
                false,
                json!({ "name": trail }),
                Value::Null,
            )
            .resources(
                json!([{"accountId": g.account, "type": "AWS::CloudTrail::Trail", "ARN": trail}]),
            );
            scene(g, call)
        }
        "CloudWatch.6" => {
            let user = identity::iam_user(g.account, "ops-shared", false);
            console_sign_in(g, user, false, false)
        }
        "CloudWatch.7" => {
            let key = g.kms_key_arn();
            let call = Call::new(
                "kms.amazonaws.com",
                "DisableKey",
                false,
                json!({ "keyId": key }),
                Value::Null,
            )
            .resources(json!([{"accountId": g.account, "type": "AWS::KMS::Key", "ARN": key}]))
            .version("1.08");
            scene(g, call)
        }
        "CloudWatch.8" => {
            let bucket = g.bucket();
            let policy = json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": format!("arn:aws:s3:::{bucket}/*"),
                }],
            });
            let call = on_bucket(
                g,
                "PutBucketPolicy",
                false,
                &bucket,
                json!({"bucketPolicy": policy, "policy": ""}),
            );
            scene(g, call)
        }
        "CloudWatch.9" => {
            let call = Call::new(
                "config.amazonaws.com",
                "StopConfigurationRecorder",
                false,
                json!({"configurationRecorderName": "default"}),
                Value::Null,
            );
            scene(g, call)
        }
        "CloudWatch.10" => {
            let group = g.hex_id("sg");
            let rule = json!({
                "ipProtocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "groups": {},
                "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0", "description": "débogage temporaire"}]},
                "ipv6Ranges": {},
                "prefixListIds": {},
            });
            let call = Call::new(
                EC2,
                "AuthorizeSecurityGroupIngress",
                false,
                json!({"groupId": group, "ipPermissions": {"items": [rule]}}),
                json!({
                    "requestId": g.request_id,
                    "_return": true,
                    "securityGroupRuleSet": {"items": [{
                        "groupOwnerId": g.account,
                        "groupId": group,
                        "securityGroupRuleId": g.hex_id("sgr"),
                        "isEgress": false,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "0.0.0.0/0",
                        "description": "débogage temporaire",
                    }]},
                }),
            );
            scene(g, call)
        }
        "CloudWatch.11" => {
            let acl = g.hex_id("acl");
            let call = ec2_ok(
                g,
                "CreateNetworkAclEntry",
                json!({
                    "networkAclId": acl,
                    "ruleNumber": 90,
                    "egress": false,
                    "ruleAction": "allow",
                    "icmpTypeCode": {},
                    "portRange": {"from": 3389, "to": 3389},
                    "aclProtocol": "6",
                    "cidrBlock": "0.0.0.0/0",
                }),
            );
            scene(g, call)
        }
        "CloudWatch.12" => {
            let gateway = g.hex_id("igw");
            let vpc = g.hex_id("vpc");
            let call = ec2_ok(
                g,
                "AttachInternetGateway",
                json!({"internetGatewayId": gateway, "vpcId": vpc}),
            );
            scene(g, call)
        }
        "CloudWatch.13" => {
            let table = g.hex_id("rtb");
            let gateway = g.hex_id("igw");
            let call = ec2_ok(
                g,
                "CreateRoute",
                json!({"routeTableId": table, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": gateway}),
            );
            scene(g, call)
        }
        "CloudWatch.14" => {
            let vpc = g.hex_id("vpc");
            let call = Call::new(
                EC2,
                "CreateVpc",
                false,
                json!({"cidrBlock": "10.42.0.0/16", "instanceTenancy": "default", "amazonProvidedIpv6CidrBlock": false}),
                json!({
                    "requestId": g.request_id,
                    "vpc": {
                        "vpcId": vpc,
                        "state": "pending",
                        "ownerId": g.account,
                        "cidrBlock": "10.42.0.0/16",
                        "cidrBlockAssociationSet": {"items": [{
                            "cidrBlock": "10.42.0.0/16",
                            "associationId": g.hex_id("vpc-cidr-assoc"),
                            "cidrBlockState": {"state": "associated"},
                        }]},
                        "ipv6CidrBlockAssociationSet": {},
                        "dhcpOptionsId": g.hex_id("dopt"),
                        "instanceTenancy": "default",
                        "tagSet": {},
                        "isDefault": false,
                    },
                }),
            );
            scene(g, call)
        }
        "CIS.4.15" => {
            let call = Call::new(
                "organizations.amazonaws.com",
                "AttachPolicy",
                false,
                json!({
                    "policyId": format!("p-{}", g.rng.hex(8)),
                    "targetId": format!("ou-{}-{}", g.rng.hex(4), g.rng.hex(8)),
                }),
                Value::Null,
            )
            .host("organizations.us-east-1.amazonaws.com".into());
            scene(g, call)
        }
        _ => return None,
    };
    Some(scene)
}

fn near_miss_scene(g: &mut Gen<'_>, name: &str) -> Option<Scene> {
    let scene = match name {
        // AWS Support acting with the root's authority: `invokedBy` is set.
        "root-invoked-by" => {
            let service = "support.amazonaws.com";
            let mut actor = identity::service_actor(service);
            actor.identity = identity::root(g.account, Some(service));
            Scene {
                actor,
                call: Call::new(
                    service,
                    "DescribeTrustedAdvisorChecks",
                    true,
                    json!({"language": "en"}),
                    Value::Null,
                ),
                failure: None,
            }
        }
        "console-login-mfa" => {
            let user = identity::iam_user(g.account, "ops-shared", false);
            console_sign_in(g, user, true, true)
        }
        "federated-console-login" => {
            let call = federated_console_login(g);
            let mut actor = identity::ordinary_actor(
                g.rng,
                g.account,
                g.at,
                Callers::Console,
                "signin",
                "ConsoleLogin",
            );
            actor.console = false;
            Scene {
                actor,
                call,
                failure: None,
            }
        }
        "dry-run" => {
            let instance = g.instance_id();
            let call = Call::new(
                EC2,
                "TerminateInstances",
                false,
                json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
                Value::Null,
            );
            let actor = admin(g, &call);
            Scene {
                actor,
                call,
                failure: Some(Failure {
                    code: Some("Client.DryRunOperation".into()),
                    message: "Request would have succeeded, but DryRun flag is set.".into(),
                }),
            }
        }
        "disable-key-rotation" => {
            let key = g.kms_key_arn();
            let call = Call::new(
                "kms.amazonaws.com",
                "DisableKeyRotation",
                false,
                json!({ "keyId": key }),
                Value::Null,
            )
            .resources(json!([{"accountId": g.account, "type": "AWS::KMS::Key", "ARN": key}]))
            .version("1.08");
            scene(g, call)
        }
        "throttled" => {
            let call = Call::new(
                EC2,
                "DescribeInstances",
                true,
                json!({"instancesSet": {}, "filterSet": {}}),
                Value::Null,
            );
            let actor = admin(g, &call);
            Scene {
                actor,
                call,
                failure: Some(Failure {
                    code: Some("Client.RequestLimitExceeded".into()),
                    message: "Request limit exceeded.".into(),
                }),
            }
        }
        _ => return None,
    };
    Some(scene)
}
