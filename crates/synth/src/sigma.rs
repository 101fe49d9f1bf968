//! A pack of 57 Sigma rules for the benchmarks, shaped like a community CloudTrail rule set:
//! most select an `eventSource` and a few `eventName`s, some add filters on the caller or the
//! request, a few name only `eventName`, and a few name neither (a root caller, access denials,
//! suspicious user agents), so every record reaches them. Written here, not copied: the rules
//! say plausible things, but they are test data, not detections to deploy.

use std::fmt::Write;

/// (eventSource, eventNames, extra selection items, filter items) of the rules that name a source.
const SOURCED: [(&str, &[&str], &str, &str); 45] = [
    (
        "cloudtrail.amazonaws.com",
        &["StopLogging", "DeleteTrail"],
        "",
        "",
    ),
    (
        "cloudtrail.amazonaws.com",
        &["UpdateTrail", "PutEventSelectors"],
        "",
        "",
    ),
    (
        "guardduty.amazonaws.com",
        &["DeleteDetector", "UpdateDetector"],
        "",
        "",
    ),
    ("guardduty.amazonaws.com", &["CreateIPSet"], "", ""),
    (
        "securityhub.amazonaws.com",
        &["DisableSecurityHub", "BatchDisableStandards"],
        "",
        "",
    ),
    (
        "config.amazonaws.com",
        &["StopConfigurationRecorder", "DeleteDeliveryChannel"],
        "",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["ModifySnapshotAttribute"],
        "    requestParameters|contains: 'all'\n",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["ModifyImageAttribute"],
        "    requestParameters|contains: 'all'\n",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["CreateNetworkAclEntry", "ReplaceNetworkAclEntry"],
        "",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["CreateRoute", "ReplaceRoute"],
        "",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["AuthorizeSecurityGroupIngress"],
        "    requestParameters|contains: '0.0.0.0/0'\n",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["DisableEbsEncryptionByDefault"],
        "",
        "",
    ),
    (
        "ec2.amazonaws.com",
        &["GetPasswordData"],
        "",
        "    errorCode: Client.UnauthorizedOperation\n",
    ),
    (
        "ec2.amazonaws.com",
        &["RunInstances"],
        "    requestParameters.instanceType|startswith: p4\n",
        "",
    ),
    (
        "iam.amazonaws.com",
        &["CreateAccessKey"],
        "",
        "    userIdentity.type: AssumedRole\n",
    ),
    (
        "iam.amazonaws.com",
        &["CreateUser", "CreateLoginProfile"],
        "",
        "",
    ),
    (
        "iam.amazonaws.com",
        &["AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"],
        "    requestParameters.policyArn|endswith: /AdministratorAccess\n",
        "",
    ),
    (
        "iam.amazonaws.com",
        &["PutUserPolicy", "PutRolePolicy"],
        "    requestParameters|contains: '\"Action\":\"*\"'\n",
        "",
    ),
    ("iam.amazonaws.com", &["UpdateAssumeRolePolicy"], "", ""),
    (
        "iam.amazonaws.com",
        &["DeactivateMFADevice", "DeleteVirtualMFADevice"],
        "",
        "",
    ),
    (
        "iam.amazonaws.com",
        &["UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"],
        "",
        "",
    ),
    (
        "iam.amazonaws.com",
        &["CreatePolicyVersion"],
        "    requestParameters.setAsDefault: 'true'\n",
        "",
    ),
    ("sts.amazonaws.com", &["GetFederationToken"], "", ""),
    (
        "sts.amazonaws.com",
        &["AssumeRoleWithWebIdentity"],
        "",
        "    userIdentity.identityProvider|endswith: amazonaws.com\n",
    ),
    (
        "sts.amazonaws.com",
        &["GetSessionToken"],
        "    userIdentity.type: IAMUser\n",
        "",
    ),
    (
        "signin.amazonaws.com",
        &["ConsoleLogin"],
        "    additionalEventData.MFAUsed: 'No'\n    responseElements.ConsoleLogin: Success\n",
        "    userIdentity.type: AssumedRole\n",
    ),
    (
        "signin.amazonaws.com",
        &["ConsoleLogin"],
        "    responseElements|contains: Failure\n",
        "",
    ),
    (
        "signin.amazonaws.com",
        &["PasswordRecoveryRequested"],
        "",
        "",
    ),
    (
        "kms.amazonaws.com",
        &["ScheduleKeyDeletion", "DisableKey"],
        "",
        "",
    ),
    (
        "kms.amazonaws.com",
        &["PutKeyPolicy"],
        "    requestParameters.policy|contains: '\"Principal\":\"*\"'\n",
        "",
    ),
    (
        "s3.amazonaws.com",
        &["PutBucketPolicy", "DeleteBucketPolicy"],
        "",
        "",
    ),
    (
        "s3.amazonaws.com",
        &["PutBucketAcl"],
        "    requestParameters|contains: AllUsers\n",
        "",
    ),
    ("s3.amazonaws.com", &["DeleteBucket"], "", ""),
    (
        "s3.amazonaws.com",
        &["PutBucketPublicAccessBlock", "DeletePublicAccessBlock"],
        "",
        "",
    ),
    ("s3.amazonaws.com", &["PutBucketLogging"], "", ""),
    (
        "s3.amazonaws.com",
        &["PutBucketLifecycle"],
        "",
        "    userIdentity.invokedBy: AWS Internal\n",
    ),
    (
        "lambda.amazonaws.com",
        &["UpdateFunctionCode20150331v2"],
        "",
        "",
    ),
    (
        "lambda.amazonaws.com",
        &["AddPermission20150331v2"],
        "    requestParameters.principal: '*'\n",
        "",
    ),
    (
        "organizations.amazonaws.com",
        &["LeaveOrganization"],
        "",
        "",
    ),
    (
        "organizations.amazonaws.com",
        &["DeleteOrganization", "RemoveAccountFromOrganization"],
        "",
        "",
    ),
    (
        "rds.amazonaws.com",
        &["ModifyDBInstance"],
        "    requestParameters.masterUserPassword|exists: true\n",
        "",
    ),
    (
        "rds.amazonaws.com",
        &["RestoreDBInstanceFromDBSnapshot"],
        "",
        "",
    ),
    (
        "ssm.amazonaws.com",
        &["SendCommand", "StartSession"],
        "",
        "",
    ),
    (
        "secretsmanager.amazonaws.com",
        &["GetSecretValue"],
        "",
        "    userIdentity.type: AWSService\n",
    ),
    (
        "logs.amazonaws.com",
        &["DeleteLogGroup", "DeleteLogStream"],
        "",
        "",
    ),
];

/// The event names of the rules that name no source.
const NAMED: [&[&str]; 8] = [
    &["DeleteFlowLogs"],
    &["CreateKeyPair", "ImportKeyPair"],
    &["DeleteSnapshot"],
    &["StopInstances"],
    &["DisableAlarmActions", "DeleteAlarms"],
    &["DeleteRule", "DisableRule"],
    &["ListBuckets"],
    &["GetCallerIdentity"],
];

/// The rules that name neither field: every record reaches them.
const UNFILED: [&str; 4] = [
    "  root:\n    userIdentity.type: Root\n  service:\n    userIdentity.invokedBy|exists: true\n  condition: root and not service",
    "  denied:\n    errorCode|startswith:\n      - AccessDenied\n      - Client.Unauthorized\n  condition: denied",
    "  tools:\n    userAgent|contains:\n      - kali\n      - parrot\n      - pentoo\n  condition: tools",
    "  public:\n    eventSource|endswith: .amazonaws.com\n    sourceIPAddress|cidr: 198.18.0.0/15\n  condition: public",
];

/// The 57 rules as one YAML text, one document each.
pub fn sigma_pack() -> String {
    let mut detections: Vec<String> = Vec::new();
    for (source, names, extra, filter) in SOURCED {
        let mut d = format!("  selection:\n    eventSource: {source}\n    eventName:\n");
        for name in names {
            writeln!(d, "      - {name}").ok();
        }
        d.push_str(extra);
        if filter.is_empty() {
            d.push_str("  condition: selection");
        } else {
            write!(
                d,
                "  filter:\n{filter}  condition: selection and not filter"
            )
            .ok();
        }
        detections.push(d);
    }
    for names in NAMED {
        let list: String = names.iter().map(|n| format!("      - {n}\n")).collect();
        detections.push(format!(
            "  selection:\n    eventName:\n{list}  condition: selection"
        ));
    }
    detections.extend(UNFILED.iter().map(|d| d.to_string()));
    detections
        .iter()
        .enumerate()
        .map(|(i, detection)| {
            format!(
                "title: Bench rule {i}\nid: 5e000000-0000-4000-8000-{i:012}\nlevel: medium\ntags:\n  - attack.t{}\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}\n",
                1000 + i
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}
