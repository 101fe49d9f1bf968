//! The built-in pack: the AWS Security Hub CloudWatch.1–14 controls, with the filter text AWS
//! documents for each, byte for byte, and CIS AWS Foundations 4.15 (Organizations changes).
//!
//! Keeping AWS's exact text lets a team diff it against the metric filters they already run;
//! the severities are trailwatch's own choice.

use super::{RuleDef, RuleSource, Severity};

/// `(id, title, severity, pattern)` of each built-in rule, in listing order.
const PACK: [(&str, &str, Severity, &str); 15] = [
    (
        "CloudWatch.1",
        "Usage of the root user",
        Severity::Critical,
        r#"{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}"#,
    ),
    (
        "CloudWatch.2",
        "Unauthorized API calls",
        Severity::Low,
        r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#,
    ),
    (
        "CloudWatch.3",
        "Console sign-in without MFA",
        Severity::High,
        r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    ),
    (
        "CloudWatch.4",
        "IAM policy changes",
        Severity::Medium,
        "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}",
    ),
    (
        "CloudWatch.5",
        "CloudTrail configuration changes",
        Severity::High,
        "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}",
    ),
    (
        "CloudWatch.6",
        "Console authentication failures",
        Severity::Medium,
        r#"{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}"#,
    ),
    (
        "CloudWatch.7",
        "Disabling or scheduled deletion of customer managed keys",
        Severity::High,
        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
    ),
    (
        "CloudWatch.8",
        "S3 bucket policy changes",
        Severity::Medium,
        "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
    ),
    (
        "CloudWatch.9",
        "AWS Config configuration changes",
        Severity::High,
        "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
    ),
    (
        "CloudWatch.10",
        "Security group changes",
        Severity::Medium,
        "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}",
    ),
    (
        "CloudWatch.11",
        "Network ACL changes",
        Severity::Medium,
        "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}",
    ),
    (
        "CloudWatch.12",
        "Network gateway changes",
        Severity::Medium,
        "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
    ),
    (
        "CloudWatch.13",
        "Route table changes",
        Severity::Medium,
        "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}",
    ),
    (
        "CloudWatch.14",
        "VPC changes",
        Severity::Medium,
        "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}",
    ),
    (
        "CIS.4.15",
        "AWS Organizations changes",
        Severity::High,
        r#"{ ($.eventSource = "organizations.amazonaws.com") && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CancelHandshake") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganization") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnableAllFeatures") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdateOrganizationalUnit") || ($.eventName = "UpdatePolicy")) }"#,
    ),
];

/// The built-in rules, all enabled, in listing order.
pub fn builtin_rules() -> Vec<RuleDef> {
    PACK.iter()
        .map(|&(id, title, severity, pattern)| RuleDef {
            id: id.to_owned(),
            title: title.to_owned(),
            severity,
            pattern: pattern.to_owned(),
            description: None,
            enabled: true,
            source: RuleSource::Builtin,
        })
        .collect()
}
