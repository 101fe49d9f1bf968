//! IAM, STS, KMS, Secrets Manager, IAM Identity Center, sign-in, Organizations, CloudTrail and
//! Config calls — the everyday ones, never those the CIS controls watch.

use serde_json::{json, Value};

use super::{Call, Gen};

const IAM: &str = "iam.amazonaws.com";
const STS: &str = "sts.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const SECRETS: &str = "secretsmanager.amazonaws.com";
const CONFIG: &str = "config.amazonaws.com";

/// A trust policy as the console writes it: pretty-printed, so the record string holds `\n`
/// and escaped quotes.
pub(crate) fn trust_policy(service: &str) -> String {
    format!(
        "{{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {{\n            \"Effect\": \"Allow\",\n            \
         \"Principal\": {{\n                \"Service\": \"{service}\"\n            }},\n            \
         \"Action\": \"sts:AssumeRole\"\n        }}\n    ]\n}}"
    )
}

/// IAM returns policy documents URL-encoded inside its JSON responses.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn kms_resources(g: &Gen<'_>, key_arn: &str) -> Value {
    json!([{"accountId": g.account, "type": "AWS::KMS::Key", "ARN": key_arn}])
}

pub(super) fn iam_read(g: &mut Gen<'_>) -> Call {
    let role = g.role();
    let policy = format!(
        "arn:aws:iam::{}:policy/{}",
        g.account,
        g.rng
            .pick(&["orders-data-access", "ci-deploy", "read-only-extras"])
    );
    let (name, request) = match g.rng.below(8) {
        0 | 1 => ("GetRole", json!({ "roleName": role })),
        2 => ("ListRoles", Value::Null),
        3 => ("ListAttachedRolePolicies", json!({ "roleName": role })),
        4 => ("ListRolePolicies", json!({ "roleName": role })),
        5 => (
            "GetPolicyVersion",
            json!({"policyArn": policy, "versionId": format!("v{}", g.rng.between(1, 9))}),
        ),
        6 => ("GetUser", json!({"userName": "legacy-backup"})),
        _ => (
            "GetAccountAuthorizationDetails",
            json!({"filter": ["Role", "User", "Group", "LocalManagedPolicy"], "maxItems": 100}),
        ),
    };
    Call::new(IAM, name, true, request, Value::Null).host("iam.amazonaws.com".into())
}

pub(super) fn create_role(g: &mut Gen<'_>) -> Call {
    let service = g.rng.pick(&[
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "ec2.amazonaws.com",
    ]);
    let role = format!(
        "{}-{}",
        g.rng.pick(&["etl", "webhook", "scheduler"]),
        g.rng.hex(6)
    );
    let team = g.team();
    let description = format!("Rôle d'exécution — {team}");
    let tags = g.tags();
    let policy = trust_policy(service);
    let role_id = format!("AROA{}", g.rng.upper_alnum(17));
    Call::new(
        IAM,
        "CreateRole",
        false,
        json!({
            "roleName": role,
            "description": description,
            "assumeRolePolicyDocument": policy,
            "maxSessionDuration": 3600,
            "tags": tags,
        }),
        json!({"role": {
            "path": "/",
            "roleName": role,
            "roleId": role_id,
            "arn": g.role_arn(&role),
            "createDate": g.at.iam_style(),
            "assumeRolePolicyDocument": url_encode(&policy),
            "description": description,
            "maxSessionDuration": 3600,
            "tags": tags,
        }}),
    )
    .host("iam.amazonaws.com".into())
}

pub(super) fn tag_or_trust_role(g: &mut Gen<'_>) -> Call {
    let role = g.role();
    let call = if g.rng.chance(500) {
        let tags = g.tags();
        Call::new(
            IAM,
            "TagRole",
            false,
            json!({"roleName": role, "tags": tags}),
            Value::Null,
        )
    } else {
        Call::new(
            IAM,
            "UpdateAssumeRolePolicy",
            false,
            json!({"roleName": role, "policyDocument": trust_policy("ecs-tasks.amazonaws.com")}),
            Value::Null,
        )
    };
    call.host("iam.amazonaws.com".into())
}

pub(super) fn create_access_key(g: &mut Gen<'_>) -> Call {
    Call::new(
        IAM,
        "CreateAccessKey",
        false,
        json!({"userName": "svc-reporting"}),
        json!({"accessKey": {
            "userName": "svc-reporting",
            "accessKeyId": format!("AKIA{}", g.rng.upper_alnum(16)),
            "status": "Active",
            "createDate": g.at.iam_style(),
        }}),
    )
    .host("iam.amazonaws.com".into())
}

fn credentials(g: &mut Gen<'_>) -> Value {
    json!({
        "accessKeyId": format!("ASIA{}", g.rng.upper_alnum(16)),
        "sessionToken": format!("IQoJb3JpZ2luX2Vj{}", g.rng.base64(380)),
        "expiration": g.at.later(3600).iam_style(),
    })
}

pub(super) fn assume_role(g: &mut Gen<'_>) -> Call {
    let role = g.role();
    let arn = g.role_arn(role);
    let session = match role {
        "ingest-lambda-role" => "ingest-events".to_string(),
        "orders-api-task-role" => g.rng.hex(32),
        _ => format!("session-{}", g.rng.between(1_700_000_000, 1_799_999_999)),
    };
    let role_id = super::super::identity::unique_id("AROA", &[g.account, role]);
    let creds = credentials(g);
    Call::new(
        STS,
        "AssumeRole",
        true,
        json!({"roleArn": arn, "roleSessionName": session, "durationSeconds": 3600}),
        json!({
            "credentials": creds,
            "assumedRoleUser": {
                "assumedRoleId": format!("{role_id}:{session}"),
                "arn": format!("arn:aws:sts::{}:assumed-role/{role}/{session}", g.account),
            },
        }),
    )
    .resources(json!([{"accountId": g.account, "type": "AWS::IAM::Role", "ARN": arn}]))
    .version("1.08")
}

pub(super) fn get_caller_identity(_g: &mut Gen<'_>) -> Call {
    Call::new(STS, "GetCallerIdentity", true, Value::Null, Value::Null).version("1.08")
}

pub(super) fn assume_role_with_web_identity(g: &mut Gen<'_>) -> Call {
    let role = "github-actions-deploy";
    let arn = g.role_arn(role);
    let provider = format!(
        "arn:aws:iam::{}:oidc-provider/token.actions.githubusercontent.com",
        g.account
    );
    let role_id = super::super::identity::unique_id("AROA", &[g.account, role]);
    let creds = credentials(g);
    Call::new(
        STS,
        "AssumeRoleWithWebIdentity",
        true,
        json!({"roleArn": arn, "roleSessionName": "GitHubActions", "durationSeconds": 3600}),
        json!({
            "credentials": creds,
            "subjectFromWebIdentityToken": "repo:example-org/payments-api:ref:refs/heads/main",
            "assumedRoleUser": {
                "assumedRoleId": format!("{role_id}:GitHubActions"),
                "arn": format!("arn:aws:sts::{}:assumed-role/{role}/GitHubActions", g.account),
            },
            "provider": provider,
            "audience": "sts.amazonaws.com",
        }),
    )
    .additional(json!({"identityProviderConnectionVerificationMethod": "IAMTrustStore"}))
    .resources(json!([{"accountId": g.account, "type": "AWS::IAM::Role", "ARN": arn}]))
    .version("1.08")
}

/// S3 asking KMS for a bucket key's data key.
pub(super) fn kms_data_key(g: &mut Gen<'_>) -> Call {
    let key = g.kms_key_arn();
    let bucket = g.bucket();
    Call::new(
        KMS,
        "GenerateDataKey",
        true,
        json!({
            "keyId": key,
            "encryptionContext": {"aws:s3:arn": format!("arn:aws:s3:::{bucket}")},
            "keySpec": "AES_256",
        }),
        Value::Null,
    )
    .resources(kms_resources(g, &key))
    .version("1.08")
}

/// CloudTrail encrypting its own log files (the encryption context names the trail).
pub(super) fn kms_trail_key(g: &mut Gen<'_>) -> Call {
    let key = g.kms_key_arn();
    let (h, m, _) = g.at.hms();
    let object = format!(
        "arn:aws:s3:::example-org-cloudtrail-logs/AWSLogs/{account}/CloudTrail/{region}/{date}/{account}_CloudTrail_{region}_{day}T{h:02}{m:02}Z_{suffix}.json.gz",
        account = g.account,
        region = g.region,
        date = {
            let (y, mo, d) = g.at.day();
            format!("{y:04}/{mo:02}/{d:02}")
        },
        day = g.at.compact_date(),
        suffix = g.rng.alnum(16),
    );
    Call::new(
        KMS,
        "GenerateDataKey",
        true,
        json!({
            "keyId": key,
            "encryptionContext": {"aws:cloudtrail:arn": g.trail_arn(), "aws:s3:arn": object},
            "keySpec": "AES_256",
        }),
        Value::Null,
    )
    .resources(kms_resources(g, &key))
    .version("1.08")
}

pub(super) fn kms_decrypt(g: &mut Gen<'_>) -> Call {
    let key = g.kms_key_arn();
    let context = match g.rng.below(4) {
        0 => {
            let function = g.function();
            json!({"aws:lambda:FunctionArn": g.function_arn(function)})
        }
        1 => json!({
            "SecretARN": format!("arn:aws:secretsmanager:{}:{}:secret:prod/orders/db-{}", g.region, g.account, g.rng.alnum(6)),
            "SecretVersionId": g.rng.uuid(),
        }),
        2 => {
            let table = g.table();
            json!({"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": g.account})
        }
        _ => {
            let bucket = g.bucket();
            json!({"aws:s3:arn": format!("arn:aws:s3:::{bucket}")})
        }
    };
    Call::new(
        KMS,
        "Decrypt",
        true,
        json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": context}),
        Value::Null,
    )
    .resources(kms_resources(g, &key))
    .version("1.08")
}

pub(super) fn kms_read(g: &mut Gen<'_>) -> Call {
    let key = g.kms_key_arn();
    let (name, request) = match g.rng.below(5) {
        0 => (
            "DescribeKey",
            json!({"keyId": format!("alias/{}", g.rng.pick(&["orders", "platform-logs", "backups"]))}),
        ),
        1 => ("ListAliases", Value::Null),
        2 => ("GetKeyRotationStatus", json!({ "keyId": key })),
        3 => ("ListKeys", Value::Null),
        _ => (
            "GetKeyPolicy",
            json!({"keyId": key, "policyName": "default"}),
        ),
    };
    let call = Call::new(KMS, name, true, request, Value::Null).version("1.08");
    if matches!(name, "ListAliases" | "ListKeys") {
        call
    } else {
        call.resources(kms_resources(g, &key))
    }
}

/// KMS reporting an automatic key rotation: a service event, not an API call.
pub(super) fn rotate_key(g: &mut Gen<'_>) -> Call {
    let key = g.kms_key_arn();
    Call::new(KMS, "RotateKey", false, Value::Null, Value::Null)
        .resources(kms_resources(g, &key))
        .event_type("AwsServiceEvent")
        .version("1.08")
}

fn secret_arn(g: &mut Gen<'_>) -> String {
    let name = g.rng.pick(&[
        "prod/orders/db",
        "prod/stripe/api-key",
        "platform/grafana/admin",
    ]);
    format!(
        "arn:aws:secretsmanager:{}:{}:secret:{name}-{}",
        g.region,
        g.account,
        g.rng.alnum(6)
    )
}

pub(super) fn get_secret_value(g: &mut Gen<'_>) -> Call {
    let secret = secret_arn(g);
    Call::new(
        SECRETS,
        "GetSecretValue",
        true,
        json!({ "secretId": secret }),
        Value::Null,
    )
    .version("1.08")
}

pub(super) fn describe_secret(g: &mut Gen<'_>) -> Call {
    let secret = secret_arn(g);
    Call::new(
        SECRETS,
        "DescribeSecret",
        true,
        json!({ "secretId": secret }),
        Value::Null,
    )
    .version("1.08")
}

pub(super) fn get_role_credentials(g: &mut Gen<'_>) -> Call {
    let role = g
        .rng
        .pick(&["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]);
    let host = format!("portal.sso.{}.amazonaws.com", g.region);
    Call::new(
        "sso.amazonaws.com",
        "GetRoleCredentials",
        true,
        json!({"roleName": role, "accountId": g.account}),
        Value::Null,
    )
    .host(host)
    .version("1.08")
}

/// A person federated through IAM Identity Center opening the console. `MFAUsed` is "No"
/// because the MFA happened at the identity provider; CloudWatch.3 looks only at IAM users.
pub(crate) fn federated_console_login(g: &mut Gen<'_>) -> Call {
    Call::new(
        "signin.amazonaws.com",
        "ConsoleLogin",
        false,
        Value::Null,
        json!({"ConsoleLogin": "Success"}),
    )
    .additional(json!({
        "LoginTo": format!("https://console.aws.amazon.com/console/home?region={}&state=hashArgs%23&isauthcode=true", g.region),
        "MobileVersion": "No",
        "MFAUsed": "No",
    }))
    .event_type("AwsConsoleSignIn")
    .host("signin.aws.amazon.com".into())
}

pub(super) fn describe_organization(g: &mut Gen<'_>) -> Call {
    let name = if g.rng.chance(700) {
        "DescribeOrganization"
    } else {
        "ListAccountsForParent"
    };
    let request = if name == "DescribeOrganization" {
        Value::Null
    } else {
        json!({"parentId": format!("ou-{}-{}", g.rng.hex(4), g.rng.hex(8))})
    };
    Call::new(
        "organizations.amazonaws.com",
        name,
        true,
        request,
        Value::Null,
    )
    .host("organizations.us-east-1.amazonaws.com".into())
}

pub(super) fn cloudtrail_read(g: &mut Gen<'_>) -> Call {
    let trail = g.trail_arn();
    let (name, request) = match g.rng.below(4) {
        0 => (
            "DescribeTrails",
            json!({"trailNameList": [], "includeShadowTrails": true}),
        ),
        1 => ("GetTrailStatus", json!({ "name": trail })),
        2 => ("GetEventSelectors", json!({ "trailName": trail })),
        _ => (
            "LookupEvents",
            json!({
                "lookupAttributes": [{"attributeKey": "EventName", "attributeValue": "ConsoleLogin"}],
                "maxResults": 50,
            }),
        ),
    };
    Call::new("cloudtrail.amazonaws.com", name, true, request, Value::Null)
}

/// Config recording the verdicts of its managed rules; a long, list-shaped request.
pub(super) fn put_evaluations(g: &mut Gen<'_>) -> Call {
    let stamp = g.at.earlier(g.rng.between(60, 900) as u32).iam_style();
    let evaluations: Vec<Value> = (0..g.rng.between(2, 12))
        .map(|_| {
            let (kind, id) = match g.rng.below(3) {
                0 => ("AWS::EC2::SecurityGroup", g.hex_id("sg")),
                1 => ("AWS::EC2::Instance", g.instance_id()),
                _ => ("AWS::S3::Bucket", g.bucket()),
            };
            let compliant = g.rng.chance(850);
            json!({
                "complianceResourceType": kind,
                "complianceResourceId": id,
                "complianceType": if compliant { "COMPLIANT" } else { "NON_COMPLIANT" },
                "annotation": if compliant { "" } else { "Resource does not meet the rule's requirements." },
                "orderingTimestamp": stamp,
            })
        })
        .collect();
    Call::new(
        CONFIG,
        "PutEvaluations",
        false,
        json!({"evaluations": evaluations, "resultToken": g.rng.base64(420), "testMode": false}),
        json!({"failedEvaluations": []}),
    )
}

pub(super) fn config_read(g: &mut Gen<'_>) -> Call {
    let rule = g.rng.pick(&[
        "securityhub-restricted-ssh-7d1e2f",
        "s3-bucket-public-read-prohibited",
        "iam-user-mfa-enabled",
    ]);
    let (name, request) = match g.rng.below(3) {
        0 => ("DescribeConfigurationRecorderStatus", Value::Null),
        1 => ("DescribeConfigRules", json!({ "configRuleNames": [rule] })),
        _ => (
            "GetComplianceDetailsByConfigRule",
            json!({"configRuleName": rule, "complianceTypes": ["NON_COMPLIANT"], "limit": 100}),
        ),
    };
    Call::new(CONFIG, name, true, request, Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policy_is_json_text() {
        let parsed: Value = serde_json::from_str(&trust_policy("lambda.amazonaws.com")).unwrap();
        assert_eq!(
            parsed["Statement"][0]["Principal"]["Service"],
            "lambda.amazonaws.com"
        );
    }

    #[test]
    fn url_encoding_cases() {
        for (input, want) in [
            ("abc-_.~", "abc-_.~"),
            ("{\"a\": 1}", "%7B%22a%22%3A%201%7D"),
            ("\n", "%0A"),
            ("é", "%C3%A9"),
        ] {
            assert_eq!(url_encode(input), want, "{input:?}");
        }
    }
}
