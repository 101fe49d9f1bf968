//! The ordinary calls an AWS account makes all day, by service, with realistic weights.
//!
//! Each entry names who may make the call and a builder that fills in the call's own parts
//! (request, response, resources, extra data). `record.rs` adds the caller and the envelope.
//! No entry here is one that a CIS control watches for: those come only from `controls.rs`, so
//! ordinary traffic fires nothing but the occasional CloudWatch.2 through an injected error.

mod compute;
mod ops;
mod security;
pub(crate) mod storage;

pub(crate) use security::federated_console_login;

use serde_json::{json, Value};

use super::clock::Stamp;
use super::identity::Callers;
use super::rng::Rng;

/// The service-specific half of a record.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) source: &'static str,
    pub(crate) name: &'static str,
    pub(crate) read_only: bool,
    pub(crate) request: Value,
    pub(crate) response: Value,
    pub(crate) additional: Option<Value>,
    pub(crate) resources: Option<Value>,
    /// Data events (object reads, function invocations) rather than management events.
    pub(crate) data_event: bool,
    pub(crate) event_type: &'static str,
    pub(crate) version: &'static str,
    /// The endpoint host the client named, when it is not `<service>.<region>.amazonaws.com`.
    pub(crate) host: Option<String>,
    /// S3 request ids are 16 upper-case characters instead of UUIDs.
    pub(crate) request_id: Option<String>,
    pub(crate) api_version: Option<&'static str>,
}

impl Call {
    pub(crate) fn new(
        source: &'static str,
        name: &'static str,
        read_only: bool,
        request: Value,
        response: Value,
    ) -> Call {
        Call {
            source,
            name,
            read_only,
            request,
            response,
            additional: None,
            resources: None,
            data_event: false,
            event_type: "AwsApiCall",
            version: "1.09",
            host: None,
            request_id: None,
            api_version: None,
        }
    }

    pub(crate) fn additional(mut self, value: Value) -> Call {
        self.additional = Some(value);
        self
    }

    pub(crate) fn resources(mut self, value: Value) -> Call {
        self.resources = Some(value);
        self
    }

    pub(crate) fn data_event(mut self) -> Call {
        self.data_event = true;
        self
    }

    pub(crate) fn event_type(mut self, event_type: &'static str) -> Call {
        self.event_type = event_type;
        self
    }

    pub(crate) fn version(mut self, version: &'static str) -> Call {
        self.version = version;
        self
    }

    pub(crate) fn host(mut self, host: String) -> Call {
        self.host = Some(host);
        self
    }

    pub(crate) fn request_id(mut self, id: String) -> Call {
        self.request_id = Some(id);
        self
    }

    pub(crate) fn api_version(mut self, version: &'static str) -> Call {
        self.api_version = Some(version);
        self
    }

    /// The short service name (`ec2`, `s3`) as IAM actions and CLI commands spell it.
    pub(crate) fn service(&self) -> &'static str {
        let label = self.source.split('.').next().unwrap_or(self.source);
        match label {
            "monitoring" => "cloudwatch",
            "elasticloadbalancing" => "elbv2",
            other => other,
        }
    }

    /// The operation without Lambda's API version suffix (`GetFunction20150331v2` → `GetFunction`).
    pub(crate) fn operation(&self) -> &'static str {
        match self.name.find(|c: char| c.is_ascii_digit()) {
            Some(i) => self.name.get(..i).unwrap_or(self.name),
            None => self.name,
        }
    }

    /// Global services record their calls in us-east-1 whatever endpoint region a caller used.
    pub(crate) fn is_global(&self) -> bool {
        matches!(
            self.source,
            "iam.amazonaws.com" | "route53.amazonaws.com" | "organizations.amazonaws.com"
        )
    }
}

/// Context a builder needs: where and when, plus the record's request id (EC2 echoes it).
pub(crate) struct Gen<'a> {
    pub(crate) rng: &'a mut Rng,
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
    pub(crate) at: Stamp,
    pub(crate) request_id: String,
}

const BUCKETS: &[&str] = &[
    "prod-data",
    "artifacts",
    "access-logs",
    "exports",
    "terraform-state",
];
const FUNCTIONS: &[&str] = &[
    "ingest-events",
    "orders-api-authorizer",
    "thumbnail-renderer",
    "nightly-report",
];
const TABLES: &[&str] = &["orders", "sessions", "inventory-v2", "terraform-locks"];
const ROLES: &[&str] = &[
    "orders-api-task-role",
    "eks-node-role",
    "ingest-lambda-role",
    "reporting-batch-role",
    "github-actions-deploy",
    "terraform-ci",
];
/// Team names used in tags and descriptions; several are not ASCII.
const TEAMS: &[&str] = &[
    "Payments",
    "Platform",
    "Données clients",
    "Équipe Sécurité",
    "データ基盤",
    "Zürich Ops",
    "Growth 🚀",
    "São Paulo Analytics",
];
const ENVIRONMENTS: &[&str] = &["production", "staging", "dev"];

impl Gen<'_> {
    pub(crate) fn hex_id(&mut self, prefix: &str) -> String {
        format!("{prefix}-0{}", self.rng.hex(16))
    }

    pub(crate) fn instance_id(&mut self) -> String {
        self.hex_id("i")
    }

    pub(crate) fn az(&mut self) -> String {
        format!("{}{}", self.region, self.rng.pick(&['a', 'b', 'c']))
    }

    pub(crate) fn private_ip(&mut self) -> String {
        format!(
            "10.{}.{}.{}",
            self.rng.between(0, 31),
            self.rng.between(0, 255),
            self.rng.between(4, 254)
        )
    }

    /// One of the account's buckets (`<purpose>-<account>-<region>`, a common naming scheme).
    pub(crate) fn bucket(&mut self) -> String {
        format!(
            "{}-{}-{}",
            self.rng.pick(BUCKETS),
            self.account,
            self.region
        )
    }

    pub(crate) fn function(&mut self) -> &'static str {
        self.rng.pick(FUNCTIONS)
    }

    pub(crate) fn function_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.region, self.account
        )
    }

    pub(crate) fn table(&mut self) -> &'static str {
        self.rng.pick(TABLES)
    }

    pub(crate) fn role(&mut self) -> &'static str {
        self.rng.pick(ROLES)
    }

    pub(crate) fn role_arn(&self, role: &str) -> String {
        format!("arn:aws:iam::{}:role/{role}", self.account)
    }

    pub(crate) fn team(&mut self) -> &'static str {
        self.rng.pick(TEAMS)
    }

    pub(crate) fn environment(&mut self) -> &'static str {
        self.rng.pick(ENVIRONMENTS)
    }

    /// One of the account's three customer managed keys in this region; stable per account.
    pub(crate) fn kms_key_arn(&mut self) -> String {
        let n = self.rng.below(3).to_string();
        let key_id = Rng::from_parts(&[self.account, self.region, "key", &n]).uuid();
        format!("arn:aws:kms:{}:{}:key/{key_id}", self.region, self.account)
    }

    /// The account's organisation trail as KMS encryption contexts name it.
    pub(crate) fn trail_arn(&self) -> String {
        format!(
            "arn:aws:cloudtrail:us-east-1:{}:trail/management-events",
            self.account
        )
    }

    pub(crate) fn tags(&mut self) -> Value {
        let team = self.team();
        let env = self.environment();
        json!([
            {"key": "Team", "value": team},
            {"key": "Environment", "value": env},
            {"key": "CostCenter", "value": format!("CC-{}", self.rng.between(1000, 9999))},
        ])
    }
}

/// One row of the catalog.
pub(crate) struct Entry {
    pub(crate) weight: u32,
    pub(crate) callers: Callers,
    pub(crate) build: fn(&mut Gen<'_>) -> Call,
}

const AUTOSCALING: Callers = Callers::Linked {
    role: "AWSServiceRoleForAutoScaling",
    session: "AutoScaling",
    service: "autoscaling.amazonaws.com",
};
const CONFIG: Callers = Callers::Linked {
    role: "AWSServiceRoleForConfig",
    session: "AWSConfig-Describe",
    service: "config.amazonaws.com",
};
const ACCESS_ANALYZER: Callers = Callers::Linked {
    role: "AWSServiceRoleForAccessAnalyzer",
    session: "access-analyzer",
    service: "access-analyzer.amazonaws.com",
};
const SECURITY_HUB: Callers = Callers::Linked {
    role: "AWSServiceRoleForSecurityHub",
    session: "securityhub",
    service: "securityhub.amazonaws.com",
};

const fn entry(weight: u32, callers: Callers, build: fn(&mut Gen<'_>) -> Call) -> Entry {
    Entry {
        weight,
        callers,
        build,
    }
}

/// The catalog. Weights are per mille of ordinary traffic, roughly what a busy workload
/// account's management trail shows (KMS and STS dominate, then describes and reads).
pub(crate) const CATALOG: &[Entry] = &[
    // Compute.
    entry(45, Callers::Anyone, compute::describe_instances),
    entry(10, AUTOSCALING, compute::describe_instances),
    entry(14, Callers::Anyone, compute::describe_network),
    entry(12, CONFIG, compute::describe_network),
    entry(4, Callers::Anyone, compute::run_instances),
    entry(3, AUTOSCALING, compute::run_instances),
    entry(3, AUTOSCALING, compute::terminate_instances),
    entry(10, Callers::Anyone, compute::create_tags),
    entry(5, Callers::People, compute::start_stop_instances),
    entry(3, Callers::Anyone, compute::create_snapshot),
    entry(10, Callers::Anyone, compute::describe_auto_scaling_groups),
    entry(12, Callers::Anyone, compute::describe_target_health),
    entry(12, Callers::Workload, compute::ecr_pull),
    entry(5, Callers::Anyone, compute::describe_cluster),
    entry(18, Callers::Anyone, compute::lambda_read),
    entry(3, Callers::Anyone, compute::update_function_code),
    entry(1, Callers::Anyone, compute::add_permission),
    entry(15, Callers::Workload, compute::invoke),
    // Storage and analytics.
    entry(12, Callers::Anyone, storage::list_buckets),
    entry(30, Callers::Anyone, storage::bucket_read),
    entry(12, CONFIG, storage::bucket_read),
    entry(45, Callers::Workload, storage::object_access),
    entry(3, Callers::Anyone, storage::put_bucket_tagging),
    entry(1, Callers::Anyone, storage::create_bucket),
    entry(22, Callers::Anyone, storage::dynamodb_read),
    entry(12, Callers::Workload, storage::get_item),
    entry(1, Callers::Anyone, storage::create_table),
    entry(3, Callers::People, storage::start_query_execution),
    // Identity, keys, audit.
    entry(25, Callers::Anyone, security::iam_read),
    entry(8, ACCESS_ANALYZER, security::iam_read),
    entry(2, Callers::Anyone, security::create_role),
    entry(2, Callers::Anyone, security::tag_or_trust_role),
    entry(1, Callers::People, security::create_access_key),
    entry(
        25,
        Callers::Service("lambda.amazonaws.com"),
        security::assume_role,
    ),
    entry(
        10,
        Callers::Service("ecs-tasks.amazonaws.com"),
        security::assume_role,
    ),
    entry(20, Callers::Anyone, security::assume_role),
    entry(20, Callers::Anyone, security::get_caller_identity),
    entry(
        8,
        Callers::WebIdentity,
        security::assume_role_with_web_identity,
    ),
    entry(
        35,
        Callers::Service("s3.amazonaws.com"),
        security::kms_data_key,
    ),
    entry(
        15,
        Callers::Service("cloudtrail.amazonaws.com"),
        security::kms_trail_key,
    ),
    entry(40, Callers::Workload, security::kms_decrypt),
    entry(12, Callers::Anyone, security::kms_read),
    entry(4, CONFIG, security::kms_read),
    entry(
        1,
        Callers::ServiceEvent("kms.amazonaws.com"),
        security::rotate_key,
    ),
    entry(15, Callers::Workload, security::get_secret_value),
    entry(3, Callers::Anyone, security::describe_secret),
    entry(5, Callers::SsoPortal, security::get_role_credentials),
    entry(4, Callers::Console, security::federated_console_login),
    entry(3, Callers::Anyone, security::describe_organization),
    entry(8, Callers::Anyone, security::cloudtrail_read),
    entry(5, SECURITY_HUB, security::cloudtrail_read),
    entry(10, CONFIG, security::put_evaluations),
    entry(5, Callers::Anyone, security::config_read),
    // Operations.
    entry(25, Callers::Anyone, ops::cloudformation_read),
    entry(2, Callers::Anyone, ops::validate_template),
    entry(3, Callers::Anyone, ops::create_or_update_stack),
    entry(20, Callers::Workload, ops::create_log_stream),
    entry(8, Callers::Anyone, ops::logs_read),
    entry(1, Callers::Anyone, ops::put_retention_policy),
    entry(18, Callers::Anyone, ops::cloudwatch_read),
    entry(1, Callers::Anyone, ops::put_metric_alarm),
    entry(25, Callers::Workload, ops::update_instance_information),
    entry(18, Callers::Workload, ops::get_parameters),
    entry(3, Callers::Anyone, ops::route53),
    entry(4, Callers::Anyone, ops::sns_read),
];

/// Draws one entry by weight.
pub(crate) fn draw(rng: &mut Rng) -> &'static Entry {
    rng.pick_weighted(CATALOG, |e| e.weight)
}
