//! A reference evaluation of the built-in pack, written straight from the patterns in RULES.md,
//! for the generator's tests: they check that each record fires exactly what it claims.
//!
//! Kept apart from the real engine (`rules/`) on purpose: a generator checked by the code it
//! feeds could hide the same misreading in both.

use serde_json::Value;

/// The member at `path`, if every step is an object holding the next name.
fn at<'a>(record: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(record, |v, name| v.as_object()?.get(*name))
}

/// A string member; any other type (or absence) makes string comparisons false.
fn text<'a>(record: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(record, path)?.as_str()
}

fn is(record: &Value, path: &[&str], want: &str) -> bool {
    text(record, path) == Some(want)
}

/// `!=` in the pattern language: false when the member is absent or not a string.
fn is_not(record: &Value, path: &[&str], want: &str) -> bool {
    matches!(text(record, path), Some(v) if v != want)
}

fn name_in(record: &Value, names: &[&str]) -> bool {
    text(record, &["eventName"]).is_some_and(|n| names.contains(&n))
}

const IAM_POLICY: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];
const TRAIL: &[&str] = &[
    "CreateTrail",
    "UpdateTrail",
    "DeleteTrail",
    "StartLogging",
    "StopLogging",
];
const BUCKET_POLICY: &[&str] = &[
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];
const CONFIG: &[&str] = &[
    "StopConfigurationRecorder",
    "DeleteDeliveryChannel",
    "PutDeliveryChannel",
    "PutConfigurationRecorder",
];
const SECURITY_GROUP: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
];
const NACL: &[&str] = &[
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
];
const GATEWAY: &[&str] = &[
    "CreateCustomerGateway",
    "DeleteCustomerGateway",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "DeleteInternetGateway",
    "DetachInternetGateway",
];
const ROUTE: &[&str] = &[
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
];
const VPC: &[&str] = &[
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
];
const ORGANIZATIONS: &[&str] = &[
    "AcceptHandshake",
    "AttachPolicy",
    "CancelHandshake",
    "CreateAccount",
    "CreateOrganization",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnableAllFeatures",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdateOrganizationalUnit",
    "UpdatePolicy",
];

/// The ids of the built-in controls that `record` fires, in pack order.
pub(crate) fn fired(r: &Value) -> Vec<&'static str> {
    let source = |s: &str| is(r, &["eventSource"], s);
    let error = text(r, &["errorCode"]);
    let checks: [(&str, bool); 15] = [
        (
            "CloudWatch.1",
            is(r, &["userIdentity", "type"], "Root")
                && at(r, &["userIdentity", "invokedBy"]).is_none()
                && is_not(r, &["eventType"], "AwsServiceEvent"),
        ),
        (
            "CloudWatch.2",
            error.is_some_and(|e| {
                e.ends_with("UnauthorizedOperation") || e.starts_with("AccessDenied")
            }),
        ),
        (
            "CloudWatch.3",
            is(r, &["eventName"], "ConsoleLogin")
                && is_not(r, &["additionalEventData", "MFAUsed"], "Yes")
                && is(r, &["userIdentity", "type"], "IAMUser")
                && is(r, &["responseElements", "ConsoleLogin"], "Success"),
        ),
        ("CloudWatch.4", name_in(r, IAM_POLICY)),
        ("CloudWatch.5", name_in(r, TRAIL)),
        (
            "CloudWatch.6",
            is(r, &["eventName"], "ConsoleLogin")
                && is(r, &["errorMessage"], "Failed authentication"),
        ),
        (
            "CloudWatch.7",
            source("kms.amazonaws.com") && name_in(r, &["DisableKey", "ScheduleKeyDeletion"]),
        ),
        (
            "CloudWatch.8",
            source("s3.amazonaws.com") && name_in(r, BUCKET_POLICY),
        ),
        (
            "CloudWatch.9",
            source("config.amazonaws.com") && name_in(r, CONFIG),
        ),
        ("CloudWatch.10", name_in(r, SECURITY_GROUP)),
        ("CloudWatch.11", name_in(r, NACL)),
        ("CloudWatch.12", name_in(r, GATEWAY)),
        ("CloudWatch.13", name_in(r, ROUTE)),
        ("CloudWatch.14", name_in(r, VPC)),
        (
            "CIS.4.15",
            source("organizations.amazonaws.com") && name_in(r, ORGANIZATIONS),
        ),
    ];
    checks
        .into_iter()
        .filter(|(_, hit)| *hit)
        .map(|(id, _)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_semantics() {
        let cases = [
            (
                "root api call",
                json!({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"}),
                vec!["CloudWatch.1"],
            ),
            (
                "root without eventType",
                json!({"userIdentity": {"type": "Root"}}),
                vec![],
            ),
            (
                "root invoked by",
                json!({"userIdentity": {"type": "Root", "invokedBy": "x"}, "eventType": "AwsApiCall"}),
                vec![],
            ),
            (
                "root service event",
                json!({"userIdentity": {"type": "Root"}, "eventType": "AwsServiceEvent"}),
                vec![],
            ),
            (
                "unauthorized",
                json!({"errorCode": "Client.UnauthorizedOperation"}),
                vec!["CloudWatch.2"],
            ),
            (
                "access denied exception",
                json!({"errorCode": "AccessDeniedException"}),
                vec!["CloudWatch.2"],
            ),
            (
                "dry run",
                json!({"errorCode": "Client.DryRunOperation"}),
                vec![],
            ),
            (
                "mfa member missing",
                json!({"eventName": "ConsoleLogin", "userIdentity": {"type": "IAMUser"}, "responseElements": {"ConsoleLogin": "Success"}}),
                vec![],
            ),
            (
                "mfa no",
                json!({"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"}, "userIdentity": {"type": "IAMUser"}, "responseElements": {"ConsoleLogin": "Success"}}),
                vec!["CloudWatch.3"],
            ),
            (
                "kms from elsewhere",
                json!({"eventSource": "x", "eventName": "DisableKey"}),
                vec![],
            ),
            (
                "organizations create policy",
                json!({"eventSource": "organizations.amazonaws.com", "eventName": "CreatePolicy"}),
                vec!["CloudWatch.4", "CIS.4.15"],
            ),
        ];
        for (name, record, want) in cases {
            assert_eq!(fired(&record), want, "{name}");
        }
    }
}
