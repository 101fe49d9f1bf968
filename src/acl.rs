//! The ACL verdict for one delivered object: does the bucket owner control it?
//!
//! The bucket policy only lets accounts write with `bucket-owner-full-control`; an object that
//! slipped past it (a policy edited, a bucket shared before the policy existed) leaves the bucket
//! owner unable to govern the log it is meant to keep. Pure: the S3 adapter fetches the ACL, this
//! module judges it.

/// Who a grant is for, as S3 reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantee {
    /// A canonical user id.
    CanonicalUser(String),
    /// A predefined group, by URI (`http://acs.amazonaws.com/groups/global/AllUsers`, ...).
    Group(String),
    /// Anything else S3 may report (an e-mail grantee on old buckets).
    Other(String),
}

/// One grant of an object ACL. The permission is S3's word (`FULL_CONTROL`, `READ`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Who the grant is for.
    pub grantee: Grantee,
    /// What the grant allows, in S3's word (`FULL_CONTROL`, `READ`, `WRITE`, ...).
    pub permission: String,
}

/// An object's owner and grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectAcl {
    /// Canonical id of the object's owner, when S3 reports one.
    pub owner_id: Option<String>,
    /// Every grant of the ACL, in the order S3 lists them.
    pub grants: Vec<Grant>,
}

/// The outcome of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclVerdict {
    /// The bucket owner controls the object and nobody outside is granted access.
    Compliant,
    /// The reason, as a sentence for the delivery alert.
    Violation(String),
}

const PUBLIC_GROUPS: [&str; 2] = [
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/// Judges `acl` for a bucket whose owner has canonical id `bucket_owner`.
///
/// Compliant when the object's owner is the bucket owner (also what S3 reports when Object
/// Ownership is `BucketOwnerEnforced`) or the bucket owner holds `FULL_CONTROL`; in either case a
/// grant to everyone or to every AWS user is still a violation, since it exposes the log.
pub fn verdict(acl: &ObjectAcl, bucket_owner: &str) -> AclVerdict {
    let public = acl.grants.iter().find_map(|g| match &g.grantee {
        Grantee::Group(uri) if PUBLIC_GROUPS.contains(&uri.as_str()) => Some((uri, &g.permission)),
        _ => None,
    });
    if let Some((uri, permission)) = public {
        return AclVerdict::Violation(format!(
            "the object ACL grants {permission} to the public group {uri}"
        ));
    }
    let owned = acl.owner_id.as_deref() == Some(bucket_owner);
    let full_control = acl.grants.iter().any(|g| {
        g.permission == "FULL_CONTROL"
            && matches!(&g.grantee, Grantee::CanonicalUser(id) if id == bucket_owner)
    });
    if owned || full_control {
        return AclVerdict::Compliant;
    }
    let owner = acl.owner_id.as_deref().unwrap_or("an unreported owner");
    AclVerdict::Violation(format!(
        "the bucket owner does not hold FULL_CONTROL on the object (owned by {owner}); it was not written with bucket-owner-full-control"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "b0b0";
    const WRITER: &str = "w1w1";

    fn user(id: &str, permission: &str) -> Grant {
        Grant {
            grantee: Grantee::CanonicalUser(id.into()),
            permission: permission.into(),
        }
    }

    #[test]
    fn verdicts() {
        let public = Grant {
            grantee: Grantee::Group(PUBLIC_GROUPS[0].into()),
            permission: "READ".into(),
        };
        let authenticated = Grant {
            grantee: Grantee::Group(PUBLIC_GROUPS[1].into()),
            permission: "READ".into(),
        };
        let log_delivery = Grant {
            grantee: Grantee::Group("http://acs.amazonaws.com/groups/s3/LogDelivery".into()),
            permission: "WRITE".into(),
        };
        let cases: Vec<(&str, Option<&str>, Vec<Grant>, bool)> = vec![
            (
                "bucket-owner-full-control from another account",
                Some(WRITER),
                vec![user(WRITER, "FULL_CONTROL"), user(OWNER, "FULL_CONTROL")],
                true,
            ),
            (
                "owner enforced (object owned by the bucket owner)",
                Some(OWNER),
                vec![user(OWNER, "FULL_CONTROL")],
                true,
            ),
            (
                "owned by the bucket owner with no grants listed",
                Some(OWNER),
                vec![],
                true,
            ),
            (
                "private ACL of the writer",
                Some(WRITER),
                vec![user(WRITER, "FULL_CONTROL")],
                false,
            ),
            (
                "bucket owner may only read",
                Some(WRITER),
                vec![user(WRITER, "FULL_CONTROL"), user(OWNER, "READ")],
                false,
            ),
            ("no owner reported, no grants", None, vec![], false),
            (
                "public read on an owned object",
                Some(OWNER),
                vec![user(OWNER, "FULL_CONTROL"), public],
                false,
            ),
            (
                "authenticated-users read",
                Some(WRITER),
                vec![user(OWNER, "FULL_CONTROL"), authenticated],
                false,
            ),
            (
                "a non-public group grant is fine",
                Some(OWNER),
                vec![user(OWNER, "FULL_CONTROL"), log_delivery],
                true,
            ),
        ];
        for (name, owner, grants, compliant) in cases {
            let acl = ObjectAcl {
                owner_id: owner.map(String::from),
                grants,
            };
            let got = verdict(&acl, OWNER);
            assert_eq!(
                got == AclVerdict::Compliant,
                compliant,
                "case {name}: {got:?}"
            );
        }
    }
}
