//! Who makes the calls: the `userIdentity` objects, source addresses and user agents of a small,
//! believable population per account (SSO people, CI pipelines, workloads, a legacy IAM user,
//! AWS services and their service-linked roles).
//!
//! Unique ids (`AROA…`, `AIDA…`, long-term `AKIA…` keys) are derived from the account and the
//! principal's name, so one role keeps one id across every record of an account.

use serde_json::{json, Map, Value};

use super::clock::Stamp;
use super::rng::Rng;

/// The caller of one record, ready to be placed into it.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub(crate) identity: Value,
    /// The principal's ARN as access-denied messages quote it.
    pub(crate) arn: String,
    pub(crate) source_ip: String,
    pub(crate) user_agent: String,
    /// Calls sent over the internet from outside AWS carry `tlsDetails`; calls a service makes
    /// on a principal's behalf do not.
    pub(crate) tls: bool,
    pub(crate) console: bool,
    /// Calls through a VPC endpoint carry its id.
    pub(crate) vpc_endpoint: bool,
}

/// Which part of the population may make a given call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Callers {
    /// Anyone holding credentials: SSO users, CI pipelines, workloads, legacy IAM users.
    Anyone,
    /// People only (SSO sessions, console or CLI).
    People,
    /// People signed in to the console through SSO.
    Console,
    /// People working under one SSO permission set (`AdministratorAccess`, `ReadOnlyAccess`).
    PermissionSet(&'static str),
    /// Code running in the account: instance, task and function roles.
    Workload,
    /// An AWS service acting for itself (`userIdentity.type` `AWSService`).
    Service(&'static str),
    /// An AWS service reporting something it did itself (`eventType` `AwsServiceEvent`).
    ServiceEvent(&'static str),
    /// A CI job holding a GitHub OIDC token (`WebIdentityUser`).
    WebIdentity,
    /// A person using the IAM Identity Center portal (`userIdentity.type` `Unknown`).
    SsoPortal,
    /// A service-linked role, used by the service that owns it.
    Linked {
        role: &'static str,
        session: &'static str,
        service: &'static str,
    },
}

const SSO_ROLES: &[(u32, &str)] = &[
    (3, "AWSReservedSSO_AdministratorAccess"),
    (4, "AWSReservedSSO_PowerUserAccess"),
    (3, "AWSReservedSSO_ReadOnlyAccess"),
];
const SSO_HOME_REGION: &str = "eu-central-1";
const PEOPLE: &[&str] = &[
    "alice.martin@example.com",
    "bob.nguyen@example.com",
    "carla.souza@example.com",
    "dmitri.ivanov@example.com",
    "emma.schmidt@example.com",
    "farid.haddad@example.com",
];
const CI_ROLES: &[(&str, &str)] = &[
    ("github-actions-deploy", "GitHubActions"),
    ("terraform-ci", "terraform"),
];
const WORKLOADS: &[&str] = &[
    "orders-api-task-role",
    "eks-node-role",
    "ingest-lambda-role",
    "reporting-batch-role",
];
const LEGACY_USERS: &[&str] = &["legacy-backup", "svc-reporting"];

const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
];
const CLI_PLATFORMS: &[&str] = &[
    "Python/3.11.8 Darwin/23.4.0 exe/x86_64",
    "Python/3.11.8 Linux/6.5.0-26-generic exe/x86_64.ubuntu.22",
    "Python/3.11.8 Windows/10 exe/AMD64",
];

/// The population's ordinary members, by weight.
#[derive(Clone, Copy)]
enum Member {
    Sso,
    Ci,
    Workload,
    Legacy,
}

/// Picks an ordinary caller for a call of `service` (`ec2`) and `operation` (`DescribeInstances`).
pub(crate) fn ordinary_actor(
    rng: &mut Rng,
    account: &str,
    at: Stamp,
    callers: Callers,
    service: &str,
    operation: &str,
) -> Actor {
    let member = match callers {
        Callers::Anyone => rng.weighted(&[
            (30, Member::Sso),
            (20, Member::Ci),
            (40, Member::Workload),
            (10, Member::Legacy),
        ]),
        Callers::People | Callers::Console | Callers::PermissionSet(_) => Member::Sso,
        Callers::Workload => Member::Workload,
        Callers::Service(invoked_by) => return service_actor(invoked_by),
        Callers::ServiceEvent(service) => {
            let mut actor = service_actor(service);
            actor.identity = json!({"accountId": account, "invokedBy": service});
            return actor;
        }
        Callers::WebIdentity => return web_identity(rng, account),
        Callers::SsoPortal => {
            let person = rng.pick(PEOPLE);
            let store_user = Rng::from_parts(&[account, person]).uuid();
            return Actor {
                identity: json!({
                    "type": "Unknown",
                    "principalId": format!("d-9067{}.{store_user}", Rng::from_parts(&[account]).hex(6)),
                    "accountId": account,
                    "userName": person,
                }),
                arn: person.to_string(),
                source_ip: public_ip(rng),
                user_agent: cli_agent(rng, "sso", operation),
                tls: true,
                console: false,
                vpc_endpoint: false,
            };
        }
        Callers::Linked {
            role,
            session,
            service: owner,
        } => {
            let created = at.earlier(rng.between(30, 3000) as u32);
            let path = format!("aws-service-role/{owner}/");
            let (identity, arn) = assumed_role(
                rng,
                account,
                RoleSession {
                    role,
                    path: &path,
                    session,
                },
                created,
                false,
                Some(owner),
            );
            return Actor {
                identity,
                arn,
                source_ip: owner.to_string(),
                user_agent: owner.to_string(),
                tls: false,
                console: false,
                vpc_endpoint: false,
            };
        }
    };
    let created = at.earlier(rng.between(5, 3500) as u32);
    match member {
        Member::Sso => {
            let role_base = match callers {
                Callers::PermissionSet(set) => format!("AWSReservedSSO_{set}"),
                _ => rng.weighted(SSO_ROLES).to_string(),
            };
            let suffix = Rng::from_parts(&[account, &role_base]).hex(16);
            let role = format!("{role_base}_{suffix}");
            // The path names IAM Identity Center's home region, not the region of the call.
            let path = format!("aws-reserved/sso.amazonaws.com/{SSO_HOME_REGION}/");
            let person = rng.pick(PEOPLE);
            let (identity, arn) = assumed_role(
                rng,
                account,
                RoleSession {
                    role: &role,
                    path: &path,
                    session: person,
                },
                created,
                false,
                None,
            );
            let console = matches!(callers, Callers::Console) || rng.chance(400);
            let user_agent = if console {
                rng.pick(BROWSERS).to_string()
            } else {
                cli_agent(rng, service, operation)
            };
            Actor {
                identity,
                arn,
                source_ip: public_ip(rng),
                user_agent,
                tls: true,
                console,
                vpc_endpoint: false,
            }
        }
        Member::Ci => {
            let (role, session_base) = rng.pick(CI_ROLES);
            let session = if session_base == "terraform" {
                format!("terraform-{}", rng.between(1_700_000_000, 1_799_999_999))
            } else {
                session_base.to_string()
            };
            let (identity, arn) = assumed_role(
                rng,
                account,
                RoleSession {
                    role,
                    path: "",
                    session: &session,
                },
                created,
                false,
                None,
            );
            let user_agent = if role == "terraform-ci" {
                terraform_agent(service)
            } else {
                cli_agent(rng, service, operation)
            };
            Actor {
                identity,
                arn,
                source_ip: ci_ip(rng),
                user_agent,
                tls: true,
                console: false,
                vpc_endpoint: false,
            }
        }
        Member::Workload => {
            let role = rng.pick(WORKLOADS);
            let session = match role {
                "orders-api-task-role" => rng.hex(32),
                "eks-node-role" => format!("i-0{}", rng.hex(16)),
                "ingest-lambda-role" => "ingest-events".to_string(),
                _ => format!(
                    "botocore-session-{}",
                    rng.between(1_700_000_000, 1_799_999_999)
                ),
            };
            let (mut identity, arn) = assumed_role(
                rng,
                account,
                RoleSession {
                    role,
                    path: "",
                    session: &session,
                },
                created,
                false,
                None,
            );
            if role == "eks-node-role" {
                // Instance-profile credentials delivered by IMDSv2 are marked so in the record.
                if let Some(ctx) = identity
                    .get_mut("sessionContext")
                    .and_then(Value::as_object_mut)
                {
                    ctx.insert("ec2RoleDelivery".into(), json!("2.0"));
                }
            }
            let vpc_endpoint = rng.chance(300);
            let source_ip = if vpc_endpoint {
                format!(
                    "10.{}.{}.{}",
                    rng.between(0, 31),
                    rng.between(0, 255),
                    rng.between(4, 254)
                )
            } else {
                nat_ip(rng)
            };
            Actor {
                identity,
                arn,
                source_ip,
                user_agent: sdk_agent(rng, service),
                tls: true,
                console: false,
                vpc_endpoint,
            }
        }
        Member::Legacy => {
            let user = rng.pick(LEGACY_USERS);
            let identity = iam_user(account, user, true);
            let arn = format!("arn:aws:iam::{account}:user/{user}");
            Actor {
                identity,
                arn,
                source_ip: nat_ip(rng),
                user_agent: cli_agent(rng, service, operation),
                tls: true,
                console: false,
                vpc_endpoint: false,
            }
        }
    }
}

/// An AWS service calling on its own account's behalf.
pub(crate) fn service_actor(invoked_by: &str) -> Actor {
    Actor {
        identity: json!({"type": "AWSService", "invokedBy": invoked_by}),
        arn: invoked_by.to_string(),
        source_ip: invoked_by.to_string(),
        user_agent: invoked_by.to_string(),
        tls: false,
        console: false,
        vpc_endpoint: false,
    }
}

/// A GitHub Actions job exchanging its OIDC token for role credentials.
fn web_identity(rng: &mut Rng, account: &str) -> Actor {
    let provider =
        format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com");
    let subject = "repo:example-org/payments-api:ref:refs/heads/main";
    Actor {
        identity: json!({
            "type": "WebIdentityUser",
            "principalId": format!("{provider}:sts.amazonaws.com:{subject}"),
            "userName": subject,
            "identityProvider": provider,
        }),
        arn: subject.to_string(),
        source_ip: ci_ip(rng),
        user_agent: "aws-sdk-js/2.1552.0 promise".to_string(),
        tls: true,
        console: false,
        vpc_endpoint: false,
    }
}

/// A stable IAM unique id (`AROA…`, `AIDA…`) or long-term key id (`AKIA…`) for a named principal.
pub(crate) fn unique_id(prefix: &str, parts: &[&str]) -> String {
    let body = Rng::from_parts(parts).upper_alnum(if prefix == "AKIA" { 16 } else { 17 });
    format!("{prefix}{body}")
}

/// A role and the session name of one assumption of it.
pub(crate) struct RoleSession<'a> {
    pub(crate) role: &'a str,
    /// IAM path between `role/` and the name, with its trailing slash (or empty).
    pub(crate) path: &'a str,
    pub(crate) session: &'a str,
}

/// An `AssumedRole` identity and its ARN.
pub(crate) fn assumed_role(
    rng: &mut Rng,
    account: &str,
    who: RoleSession<'_>,
    created: Stamp,
    mfa: bool,
    invoked_by: Option<&str>,
) -> (Value, String) {
    let RoleSession {
        role,
        path,
        session,
    } = who;
    let role_id = unique_id("AROA", &[account, role]);
    let arn = format!("arn:aws:sts::{account}:assumed-role/{role}/{session}");
    let mut identity = json!({
        "type": "AssumedRole",
        "principalId": format!("{role_id}:{session}"),
        "arn": arn,
        "accountId": account,
        "accessKeyId": format!("ASIA{}", rng.upper_alnum(16)),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": format!("arn:aws:iam::{account}:role/{path}{role}"),
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": created.iso(),
                "mfaAuthenticated": if mfa { "true" } else { "false" },
            },
        },
    });
    if let (Some(by), Some(map)) = (invoked_by, identity.as_object_mut()) {
        map.insert("invokedBy".into(), json!(by));
    }
    (identity, arn)
}

/// An `IAMUser` identity; with `long_term_key`, the user's stable `AKIA…` key is the credential.
pub(crate) fn iam_user(account: &str, user: &str, long_term_key: bool) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!("IAMUser"));
    map.insert(
        "principalId".into(),
        json!(unique_id("AIDA", &[account, user])),
    );
    map.insert(
        "arn".into(),
        json!(format!("arn:aws:iam::{account}:user/{user}")),
    );
    map.insert("accountId".into(), json!(account));
    if long_term_key {
        map.insert(
            "accessKeyId".into(),
            json!(unique_id("AKIA", &[account, user, "key"])),
        );
    }
    map.insert("userName".into(), json!(user));
    Value::Object(map)
}

/// The account's root user; `invoked_by` when an AWS service acts with the root's authority.
pub(crate) fn root(account: &str, invoked_by: Option<&str>) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!("Root"));
    map.insert("principalId".into(), json!(account));
    map.insert("arn".into(), json!(format!("arn:aws:iam::{account}:root")));
    map.insert("accountId".into(), json!(account));
    map.insert("accessKeyId".into(), json!(""));
    if let Some(by) = invoked_by {
        map.insert("invokedBy".into(), json!(by));
    }
    Value::Object(map)
}

/// An address from the documentation ranges (RFC 5737 / RFC 3849): offices and home networks.
pub(crate) fn public_ip(rng: &mut Rng) -> String {
    if rng.chance(150) {
        format!(
            "2001:db8:{:x}::{:x}",
            rng.between(1, 0xffff),
            rng.between(1, 0xffff)
        )
    } else {
        format!("203.0.113.{}", rng.between(1, 254))
    }
}

/// CI runners' egress addresses.
pub(crate) fn ci_ip(rng: &mut Rng) -> String {
    format!("198.51.100.{}", rng.between(1, 254))
}

/// NAT gateway addresses of the accounts' VPCs.
fn nat_ip(rng: &mut Rng) -> String {
    format!("192.0.2.{}", rng.between(1, 254))
}

/// A browser user agent.
pub(crate) fn browser(rng: &mut Rng) -> String {
    rng.pick(BROWSERS).to_string()
}

/// AWS CLI v2's user agent, which names the command.
pub(crate) fn cli_agent(rng: &mut Rng, service: &str, operation: &str) -> String {
    format!(
        "aws-cli/2.15.{} {} prompt/off command/{}.{}",
        rng.between(20, 40),
        rng.pick(CLI_PLATFORMS),
        service,
        kebab(operation)
    )
}

fn terraform_agent(service: &str) -> String {
    format!(
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 \
         (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 \
         md/GOOS#linux md/GOARCH#amd64 api/{service}#1.30.4"
    )
}

fn sdk_agent(rng: &mut Rng, service: &str) -> String {
    match rng.below(4) {
        0 => "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 \
              lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69"
            .to_string(),
        1 => format!(
            "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{service}#1.52.3"
        ),
        2 => "aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS \
              Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
            .to_string(),
        _ => format!(
            "aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.12.0 api/{service}#3.540.0"
        ),
    }
}

/// `DescribeInstances` → `describe-instances`, as CLI commands are spelled.
fn kebab(operation: &str) -> String {
    let mut out = String::with_capacity(operation.len() + 4);
    for (i, c) in operation.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
