//! The built-in pack: AWS's texts byte for byte, and a positive and a negative record for each
//! rule, including the records that tell careless filters apart.

use std::collections::BTreeSet;

use trailwatch_synth::{EventNames, CIS_EVENT_NAMES};

use super::*;
use crate::record::{FieldPlan, Fields, Record};

/// AWS's filter text for each Security Hub CloudWatch control, copied from RULES.md (table
/// `\|\|` written as `||`), kept apart from builtin.rs so that a stray edit there fails here.
const AWS_TEXTS: [(&str, &str); 14] = [
    (
        "CloudWatch.1",
        r#"{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}"#,
    ),
    (
        "CloudWatch.2",
        r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#,
    ),
    (
        "CloudWatch.3",
        r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    ),
    (
        "CloudWatch.4",
        r#"{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}"#,
    ),
    (
        "CloudWatch.5",
        r#"{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}"#,
    ),
    (
        "CloudWatch.6",
        r#"{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}"#,
    ),
    (
        "CloudWatch.7",
        r#"{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}"#,
    ),
    (
        "CloudWatch.8",
        r#"{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}"#,
    ),
    (
        "CloudWatch.9",
        r#"{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}"#,
    ),
    (
        "CloudWatch.10",
        r#"{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}"#,
    ),
    (
        "CloudWatch.11",
        r#"{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}"#,
    ),
    (
        "CloudWatch.12",
        r#"{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}"#,
    ),
    (
        "CloudWatch.13",
        r#"{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}"#,
    ),
    (
        "CloudWatch.14",
        r#"{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}"#,
    ),
];

#[test]
fn builtin_patterns_are_aws_texts_byte_for_byte() {
    let pack = builtin_rules();
    for (id, text) in AWS_TEXTS {
        let rule = pack.iter().find(|r| r.id == id);
        assert_eq!(
            rule.map(|r| r.pattern.as_str()),
            Some(text),
            "AWS text of {id}"
        );
    }
}

#[test]
fn builtin_pack_shape() {
    let pack = builtin_rules();
    let ids: Vec<_> = pack.iter().map(|r| r.id.as_str()).collect();
    let mut want: Vec<String> = (1..=14).map(|n| format!("CloudWatch.{n}")).collect();
    want.push("CIS.4.15".to_owned());
    assert_eq!(ids, want, "pack ids in order");
    for rule in &pack {
        assert!(rule.enabled, "built-in {} is enabled", rule.id);
        assert_eq!(
            rule.source,
            RuleSource::Builtin,
            "built-in {} source",
            rule.id
        );
        assert!(!rule.title.is_empty(), "built-in {} has a title", rule.id);
        assert!(
            parse_pattern(&rule.pattern).is_ok(),
            "built-in {} parses",
            rule.id
        );
    }
    let sev = |id: &str| pack.iter().find(|r| r.id == id).map(|r| r.severity);
    assert_eq!(
        sev("CloudWatch.1"),
        Some(Severity::Critical),
        "root usage severity"
    );
    assert_eq!(
        sev("CIS.4.15"),
        Some(Severity::High),
        "Organizations severity"
    );
}

/// The pack compiled once, ready to tell which rules a record fires.
struct Pack {
    plan: FieldPlan,
    set: RuleSet,
}

impl Pack {
    fn new() -> Pack {
        let mut plan = FieldPlan::new();
        let set = RuleSet::compile(&builtin_rules(), &mut plan).unwrap();
        Pack { plan, set }
    }

    fn hits(&self, record: &str) -> BTreeSet<String> {
        let mut fields = Fields::new(&self.plan);
        crate::record::extract(&self.plan, record, &mut fields)
            .unwrap_or_else(|e| panic!("{record} should scan: {e}"));
        let mut hits = BTreeSet::new();
        self.set.for_each_match(&Record::new(record, &fields), |r| {
            hits.insert(r.def().id.clone());
        });
        hits
    }
}

/// A CloudTrail-like record with the given extra members (a JSON fragment).
fn record(members: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","awsRegion":"us-east-1","recipientAccountId":"123456789012",{members}}}"#
    )
}

fn api_call(source: &str, name: &str) -> String {
    record(&format!(
        r#""userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"}},"eventSource":"{source}","eventName":"{name}","eventType":"AwsApiCall""#
    ))
}

fn console_login(mfa: Option<&str>, outcome: &str, user_type: &str) -> String {
    let mfa = mfa
        .map(|m| format!(r#","MFAUsed":"{m}""#))
        .unwrap_or_default();
    let error = if outcome == "Failure" {
        r#","errorMessage":"Failed authentication""#
    } else {
        ""
    };
    record(&format!(
        r#""userIdentity":{{"type":"{user_type}"}},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{{"ConsoleLogin":"{outcome}"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/","MobileVersion":"No"{mfa}}}{error}"#
    ))
}

fn error_call(code: &str) -> String {
    record(&format!(
        r#""userIdentity":{{"type":"AssumedRole"}},"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventType":"AwsApiCall","errorCode":"{code}","errorMessage":"no""#
    ))
}

#[test]
fn tricky_records_fire_exactly_the_expected_rules() {
    let pack = Pack::new();
    let root = |invoked_by: Option<&str>, event_type: Option<&str>| {
        let invoked_by = invoked_by
            .map(|s| format!(r#","invokedBy":"{s}""#))
            .unwrap_or_default();
        let event_type = event_type
            .map(|t| format!(r#","eventType":"{t}""#))
            .unwrap_or_default();
        record(&format!(
            r#""userIdentity":{{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root"{invoked_by}}},"eventSource":"s3.amazonaws.com","eventName":"ListBuckets"{event_type}"#
        ))
    };
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "root API call",
            root(None, Some("AwsApiCall")),
            &["CloudWatch.1"],
        ),
        (
            "root acting through a service (invokedBy present)",
            root(Some("support.amazonaws.com"), Some("AwsApiCall")),
            &[],
        ),
        (
            "root AwsServiceEvent",
            root(None, Some("AwsServiceEvent")),
            &[],
        ),
        // `!=` is false on a missing member, so a root record without eventType does not fire.
        ("root without eventType", root(None, None), &[]),
        (
            "IAM user API call",
            api_call("s3.amazonaws.com", "ListBuckets"),
            &[],
        ),
        (
            "console sign-in, MFAUsed No",
            console_login(Some("No"), "Success", "IAMUser"),
            &["CloudWatch.3"],
        ),
        (
            "console sign-in, MFAUsed Yes",
            console_login(Some("Yes"), "Success", "IAMUser"),
            &[],
        ),
        // AWS's text uses `!=`, which a missing member never satisfies (see the module docs).
        (
            "console sign-in, MFAUsed absent",
            console_login(None, "Success", "IAMUser"),
            &[],
        ),
        (
            "console sign-in failure without MFA",
            console_login(Some("No"), "Failure", "IAMUser"),
            &["CloudWatch.6"],
        ),
        (
            "root console sign-in without MFA",
            console_login(Some("No"), "Success", "Root"),
            &["CloudWatch.1"],
        ),
        (
            "assumed-role console sign-in without MFA",
            console_login(Some("No"), "Success", "AssumedRole"),
            &[],
        ),
        (
            "Client.UnauthorizedOperation",
            error_call("Client.UnauthorizedOperation"),
            &["CloudWatch.2"],
        ),
        (
            "UnauthorizedOperation",
            error_call("UnauthorizedOperation"),
            &["CloudWatch.2"],
        ),
        (
            "Client.DryRunOperation",
            error_call("Client.DryRunOperation"),
            &[],
        ),
        (
            "AccessDenied",
            error_call("AccessDenied"),
            &["CloudWatch.2"],
        ),
        (
            "AccessDeniedException",
            error_call("AccessDeniedException"),
            &["CloudWatch.2"],
        ),
        (
            "accessdenied in lower case",
            error_call("accessdenied"),
            &[],
        ),
        (
            "ThrottlingException",
            error_call("ThrottlingException"),
            &[],
        ),
        (
            "KMS DisableKey",
            api_call("kms.amazonaws.com", "DisableKey"),
            &["CloudWatch.7"],
        ),
        (
            "KMS ScheduleKeyDeletion",
            api_call("kms.amazonaws.com", "ScheduleKeyDeletion"),
            &["CloudWatch.7"],
        ),
        (
            "DisableKey from a non-KMS source",
            api_call("example.amazonaws.com", "DisableKey"),
            &[],
        ),
        (
            "KMS EnableKey",
            api_call("kms.amazonaws.com", "EnableKey"),
            &[],
        ),
        (
            "S3 PutBucketPolicy",
            api_call("s3.amazonaws.com", "PutBucketPolicy"),
            &["CloudWatch.8"],
        ),
        (
            "PutBucketPolicy from a non-S3 source",
            api_call("s3-outposts.amazonaws.com", "PutBucketPolicy"),
            &[],
        ),
        (
            "S3 GetBucketPolicy",
            api_call("s3.amazonaws.com", "GetBucketPolicy"),
            &[],
        ),
        (
            "Config StopConfigurationRecorder",
            api_call("config.amazonaws.com", "StopConfigurationRecorder"),
            &["CloudWatch.9"],
        ),
        (
            "StopConfigurationRecorder from elsewhere",
            api_call("iam.amazonaws.com", "StopConfigurationRecorder"),
            &[],
        ),
        (
            "Organizations CreateAccount",
            api_call("organizations.amazonaws.com", "CreateAccount"),
            &["CIS.4.15"],
        ),
        (
            // AWS's CloudWatch.4 text does not restrict the source, so both rules fire.
            "Organizations CreatePolicy",
            api_call("organizations.amazonaws.com", "CreatePolicy"),
            &["CIS.4.15", "CloudWatch.4"],
        ),
        (
            "Organizations ListAccounts",
            api_call("organizations.amazonaws.com", "ListAccounts"),
            &[],
        ),
        (
            "CreateAccount from a non-Organizations source",
            api_call("example.amazonaws.com", "CreateAccount"),
            &[],
        ),
        (
            "event name in other case",
            api_call("cloudtrail.amazonaws.com", "stoplogging"),
            &[],
        ),
        (
            "event name with a JSON escape",
            api_call("cloudtrail.amazonaws.com", r"Stop\u004cogging"),
            &["CloudWatch.5"],
        ),
    ];
    for (case, record, want) in cases {
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(pack.hits(&record), want, "tricky record: {case}");
    }
}

#[test]
fn every_listed_event_fires_its_rule_and_only_from_its_source() {
    let pack = Pack::new();
    for EventNames {
        control: id,
        source,
        names,
    } in CIS_EVENT_NAMES
    {
        for name in names {
            let from = source.unwrap_or("ec2.amazonaws.com");
            assert!(
                pack.hits(&api_call(from, name)).contains(id),
                "positive: {id} on {name} from {from}"
            );
            if source.is_some() {
                assert!(
                    !pack
                        .hits(&api_call("example.amazonaws.com", name))
                        .contains(id),
                    "negative: {id} on {name} from another source"
                );
            }
            let near_miss = format!("{name}s");
            assert!(
                !pack.hits(&api_call(from, &near_miss)).contains(id),
                "negative: {id} on the near miss {near_miss}"
            );
        }
    }
    let quiet = [
        "GetUserPolicy",
        "DescribeTrails",
        "DescribeSecurityGroups",
        "DescribeVpcs",
        "ListAccounts",
    ];
    for name in quiet {
        assert_eq!(
            pack.hits(&api_call("ec2.amazonaws.com", name)),
            BTreeSet::new(),
            "negative: read-only {name}"
        );
    }
}
