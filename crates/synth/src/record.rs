//! Puts a caller and a call together into one CloudTrail record, and decides its errors.

use serde_json::{json, Map, Value};

use super::catalog::{self, Call, Gen};
use super::clock::Stamp;
use super::identity::{self, Actor};
use super::rng::Rng;

/// Where and when a record happens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
    pub(crate) at: Stamp,
}

/// A failed call's `errorCode` (absent for console sign-in failures) and `errorMessage`.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) code: Option<String>,
    pub(crate) message: String,
}

/// One ordinary record: a catalog call by a fitting caller, failing with `error_per_mille`.
pub(crate) fn ordinary(rng: &mut Rng, site: Site<'_>, error_per_mille: u32) -> Value {
    let request_id = rng.uuid();
    let (entry, call) = loop {
        let entry = catalog::draw(rng);
        let mut gen = Gen {
            rng,
            account: site.account,
            region: site.region,
            at: site.at,
            request_id: request_id.clone(),
        };
        let call = (entry.build)(&mut gen);
        // Global services' calls appear only in us-east-1 deliveries of a multi-region trail.
        if !call.is_global() || site.region == "us-east-1" {
            break (entry, call);
        }
    };
    let actor = identity::ordinary_actor(
        rng,
        site.account,
        site.at,
        entry.callers,
        call.service(),
        call.operation(),
    );
    let fails = call.event_type == "AwsApiCall"
        && call.source != "signin.amazonaws.com"
        && rng.chance(error_per_mille);
    let failure = fails.then(|| pick_failure(rng, &call, &actor));
    assemble(rng, site, &actor, call, request_id, failure)
}

/// The full record, members in CloudTrail's order of appearance (see `json.rs` for the text).
pub(crate) fn assemble(
    rng: &mut Rng,
    site: Site<'_>,
    actor: &Actor,
    call: Call,
    request_id: String,
    failure: Option<Failure>,
) -> Value {
    let global = call.is_global();
    let label = call.source.split('.').next().unwrap_or(call.source);
    let host = call
        .host
        .clone()
        .unwrap_or_else(|| format!("{label}.{}.amazonaws.com", site.region));
    let mut r = Map::new();
    r.insert("eventVersion".into(), json!(call.version));
    r.insert("userIdentity".into(), actor.identity.clone());
    r.insert("eventTime".into(), json!(site.at.iso()));
    r.insert("eventSource".into(), json!(call.source));
    r.insert("eventName".into(), json!(call.name));
    r.insert(
        "awsRegion".into(),
        json!(if global { "us-east-1" } else { site.region }),
    );
    r.insert("sourceIPAddress".into(), json!(actor.source_ip));
    r.insert("userAgent".into(), json!(actor.user_agent));
    let failed = failure.is_some();
    if let Some(Failure { code, message }) = failure {
        if let Some(code) = code {
            r.insert("errorCode".into(), json!(code));
        }
        r.insert("errorMessage".into(), json!(message));
    }
    r.insert("requestParameters".into(), call.request);
    // A failed API call returns nothing; a failed sign-in still reports "Failure".
    let response = if failed && call.event_type == "AwsApiCall" {
        Value::Null
    } else {
        call.response
    };
    r.insert("responseElements".into(), response);
    if let Some(extra) = call.additional {
        r.insert("additionalEventData".into(), extra);
    }
    r.insert(
        "requestID".into(),
        json!(call.request_id.unwrap_or(request_id)),
    );
    r.insert("eventID".into(), json!(rng.uuid()));
    r.insert("readOnly".into(), json!(call.read_only));
    if let Some(resources) = call.resources {
        r.insert("resources".into(), resources);
    }
    r.insert("eventType".into(), json!(call.event_type));
    if let Some(version) = call.api_version {
        r.insert("apiVersion".into(), json!(version));
    }
    r.insert("managementEvent".into(), json!(!call.data_event));
    r.insert("recipientAccountId".into(), json!(site.account));
    if actor.vpc_endpoint {
        let endpoint = Rng::from_parts(&[site.account, site.region, label, "vpce"]).hex(17);
        r.insert("vpcEndpointId".into(), json!(format!("vpce-{endpoint}")));
        r.insert("vpcEndpointAccountId".into(), json!(site.account));
    }
    r.insert(
        "eventCategory".into(),
        json!(if call.data_event {
            "Data"
        } else {
            "Management"
        }),
    );
    if actor.tls {
        let tls13 = rng.chance(800);
        r.insert(
            "tlsDetails".into(),
            json!({
                "tlsVersion": if tls13 { "TLSv1.3" } else { "TLSv1.2" },
                "cipherSuite": if tls13 { "TLS_AES_128_GCM_SHA256" } else { "ECDHE-RSA-AES128-GCM-SHA256" },
                "clientProvidedHostHeader": host,
            }),
        );
    }
    if actor.console && call.event_type == "AwsApiCall" {
        r.insert("sessionCredentialFromConsole".into(), json!("true"));
    }
    Value::Object(r)
}

/// How a service family spells its errors.
#[derive(Clone, Copy)]
enum Protocol {
    Ec2,
    S3,
    /// Query/XML services (IAM, STS, CloudFormation, CloudWatch, ...): `AccessDenied`, `Throttling`.
    Query,
    /// JSON services (KMS, Lambda, DynamoDB, ...): `AccessDeniedException`, `ThrottlingException`.
    Json,
}

#[derive(Clone, Copy)]
enum Cause {
    Denied,
    Throttled,
    Missing,
}

fn protocol(source: &str) -> Protocol {
    match source {
        "ec2.amazonaws.com" => Protocol::Ec2,
        "s3.amazonaws.com" => Protocol::S3,
        "iam.amazonaws.com"
        | "sts.amazonaws.com"
        | "cloudformation.amazonaws.com"
        | "monitoring.amazonaws.com"
        | "autoscaling.amazonaws.com"
        | "elasticloadbalancing.amazonaws.com"
        | "sns.amazonaws.com"
        | "route53.amazonaws.com" => Protocol::Query,
        _ => Protocol::Json,
    }
}

/// An error fitting the call: mostly access denied (which CloudWatch.2 reports), then
/// throttling and missing resources (which it does not). Services acting for themselves are
/// only ever throttled.
pub(crate) fn pick_failure(rng: &mut Rng, call: &Call, actor: &Actor) -> Failure {
    // No policy can deny GetCallerIdentity.
    let cause = if actor.identity["type"] == "AWSService" || call.name == "GetCallerIdentity" {
        Cause::Throttled
    } else {
        rng.weighted(&[
            (6, Cause::Denied),
            (3, Cause::Throttled),
            (1, Cause::Missing),
        ])
    };
    let prefix = match call.source.split('.').next().unwrap_or(call.source) {
        "monitoring" => "cloudwatch",
        other => other,
    };
    let action = format!("{prefix}:{}", call.operation());
    let denied = format!(
        "User: {} is not authorized to perform: {action} because no identity-based policy allows the {action} action",
        actor.arn
    );
    let (code, message) = match (protocol(call.source), cause) {
        (Protocol::Ec2, Cause::Denied) => {
            let mut message = format!("You are not authorized to perform this operation. {denied}");
            if !call.read_only {
                message.push_str(". Encoded authorization failure message: ");
                let len = rng.between(600, 1200) as usize;
                message.push_str(&rng.base64(len));
            }
            ("Client.UnauthorizedOperation".to_string(), message)
        }
        (Protocol::Ec2, Cause::Throttled) => (
            "Client.RequestLimitExceeded".into(),
            "Request limit exceeded.".into(),
        ),
        (Protocol::Ec2, Cause::Missing) => (
            "Client.InvalidInstanceID.NotFound".into(),
            format!("The instance ID 'i-0{}' does not exist", rng.hex(16)),
        ),
        (Protocol::S3, Cause::Denied) => ("AccessDenied".into(), "Access Denied".into()),
        (Protocol::S3, Cause::Throttled) => {
            ("SlowDown".into(), "Please reduce your request rate.".into())
        }
        (Protocol::S3, Cause::Missing) => (
            "NoSuchBucket".into(),
            "The specified bucket does not exist".into(),
        ),
        (Protocol::Query, Cause::Denied) => ("AccessDenied".into(), denied),
        (Protocol::Query, Cause::Throttled) => ("Throttling".into(), "Rate exceeded".into()),
        (Protocol::Query, Cause::Missing) if prefix == "iam" => (
            "NoSuchEntityException".into(),
            "The role with name orders-api-task-role-old cannot be found.".into(),
        ),
        (Protocol::Query, Cause::Missing) => (
            "ValidationError".into(),
            "1 validation error detected: Value at 'maxRecords' failed to satisfy constraint"
                .into(),
        ),
        (Protocol::Json, Cause::Denied) => ("AccessDeniedException".into(), denied),
        (Protocol::Json, Cause::Throttled) => {
            ("ThrottlingException".into(), "Rate exceeded".into())
        }
        (Protocol::Json, Cause::Missing) => (
            "ResourceNotFoundException".into(),
            "Requested resource not found".into(),
        ),
    };
    Failure {
        code: Some(code),
        message,
    }
}
