//! The event names that the built-in pack's name-matching CIS controls list, as RULES.md
//! gives them: one table for the generator's reference evaluation (its tests) and the product's
//! pack tests, so that neither keeps its own copy to drift from the other.

/// One control that matches on `eventName`: the names it lists and the event source it also
/// requires, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventNames {
    /// The control id, e.g. `CloudWatch.4`.
    pub control: &'static str,
    /// The `eventSource` the control also requires (`None`: any source).
    pub source: Option<&'static str>,
    /// The event names it lists, in RULES.md's order.
    pub names: &'static [&'static str],
}

/// The controls of the built-in pack that list event names, in pack order: CloudWatch.4, .5 and
/// .7 to .14, and CIS.4.15.
pub const CIS_EVENT_NAMES: [EventNames; 11] = [
    EventNames {
        control: "CloudWatch.4",
        source: None,
        names: &[
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
        ],
    },
    EventNames {
        control: "CloudWatch.5",
        source: None,
        names: &[
            "CreateTrail",
            "UpdateTrail",
            "DeleteTrail",
            "StartLogging",
            "StopLogging",
        ],
    },
    EventNames {
        control: "CloudWatch.7",
        source: Some("kms.amazonaws.com"),
        names: &["DisableKey", "ScheduleKeyDeletion"],
    },
    EventNames {
        control: "CloudWatch.8",
        source: Some("s3.amazonaws.com"),
        names: &[
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ],
    },
    EventNames {
        control: "CloudWatch.9",
        source: Some("config.amazonaws.com"),
        names: &[
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ],
    },
    EventNames {
        control: "CloudWatch.10",
        source: None,
        names: &[
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ],
    },
    EventNames {
        control: "CloudWatch.11",
        source: None,
        names: &[
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ],
    },
    EventNames {
        control: "CloudWatch.12",
        source: None,
        names: &[
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ],
    },
    EventNames {
        control: "CloudWatch.13",
        source: None,
        names: &[
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ],
    },
    EventNames {
        control: "CloudWatch.14",
        source: None,
        names: &[
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
        ],
    },
    EventNames {
        control: "CIS.4.15",
        source: Some("organizations.amazonaws.com"),
        names: &[
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
        ],
    },
];
