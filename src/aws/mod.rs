//! The AWS adapters of the pipeline's ports: [`S3Source`] reads deliveries (and their ACLs,
//! metadata and listings) from S3, [`CloudTrailKeys`] asks CloudTrail for its public keys,
//! [`SnsSink`] publishes alerts to an SNS topic, [`organization_names`] reads the account names
//! from AWS Organizations. Each holds SDK clients built once at cold start; [`sdk_config`]
//! builds the shared SDK configuration on [`http_client`], [`s3_client`] the S3 client on it.
//!
//! S3 failures are sorted here into the port's [`SourceErrorKind`]s, which the pipeline acts
//! on: an object that is gone or unreadable is a fact about the delivery (a delivery alert),
//! while throttling, 5xx, timeouts and connection failures are worth a retry (the invocation
//! fails; whether it is retried is decided in one place, `ProcessError::is_retryable`).

mod cloudtrail;
mod organizations;
mod s3;
mod sns;

pub use cloudtrail::{CloudTrailKeys, KeySource};
pub use organizations::{organization_names, organizations_client, OrganizationsError};
pub use s3::{read_location, read_sigma_location, read_text_object, S3Source};
pub use sns::{message, SnsSink};

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::SharedHttpClient;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

use crate::ports::SourceErrorKind;

/// The SDK configuration from the standard sources (the Lambda role's credentials, `AWS_REGION`,
/// and `AWS_ENDPOINT_URL` for emulators), with [`timeouts`].
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .timeout_config(timeouts())
        .load()
        .await
}

/// The HTTPS client every SDK client here uses: the SDK's own hyper and rustls client, with
/// `ring` as rustls's cryptography instead of the default `aws-lc-rs` (a much smaller binary),
/// and the system's trusted roots (`SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured). It offers
/// TLS 1.3 and 1.2 with AES-GCM and ChaCha20-Poly1305, as the default client does; what it
/// lacks is aws-lc's post-quantum hybrid key exchange (X25519MLKEM768).
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// An S3 client for `sdk`. An endpoint override means an emulator or an S3-compatible store,
/// which address buckets by path rather than by host name.
pub fn s3_client(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .build(),
    )
}

/// Limits on one attempt of an S3 or SNS call. Without a read timeout a connection that
/// stalls holds the invocation until Lambda kills it; with one, the SDK abandons the attempt
/// and retries. Both are far above S3's and SNS's usual latency (tens of milliseconds).
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(5))
        .build()
}

/// Error codes AWS uses for throttling and passing server trouble, whatever the status.
const TRANSIENT_CODES: [&str; 10] = [
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "InternalError",
    "ServiceUnavailable",
];

/// Sorts a service's error answer by its code, then its HTTP status. `NoSuchBucket` is not an
/// object that went away but a trigger pointing nowhere: permanent, so it fails loudly.
///
/// A read of an SSE-KMS object that KMS refuses comes back from S3 in two shapes: a `KMS.*`
/// code for a key that is disabled, pending deletion or gone (`KMS.DisabledException`,
/// `KMS.KMSInvalidStateException`, `KMS.NotFoundException`), and `AccessDenied` when the role
/// or the key policy does not allow `kms:Decrypt`, whose message then names the KMS action or
/// key. A bare "Access Denied" cannot be told apart from a denied `s3:GetObject` and stays
/// [`SourceErrorKind::AccessDenied`].
pub(crate) fn classify(
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
) -> SourceErrorKind {
    match code {
        Some("NoSuchKey" | "NoSuchVersion") => return SourceErrorKind::NotFound,
        Some(code) if code.starts_with("KMS.") => return SourceErrorKind::KmsDenied,
        Some("AccessDenied") if message.is_some_and(names_kms) => {
            return SourceErrorKind::KmsDenied
        }
        // CloudTrail's JSON protocol names it `AccessDeniedException`, with status 400.
        Some("AccessDenied" | "AllAccessDisabled" | "AccessDeniedException") => {
            return SourceErrorKind::AccessDenied
        }
        Some(code) if TRANSIENT_CODES.contains(&code) => return SourceErrorKind::Transient,
        Some("NoSuchBucket") => return SourceErrorKind::Permanent,
        _ => {}
    }
    match status {
        Some(404) => SourceErrorKind::NotFound,
        Some(403) if message.is_some_and(names_kms) => SourceErrorKind::KmsDenied,
        Some(403) => SourceErrorKind::AccessDenied,
        Some(408 | 429) => SourceErrorKind::Transient,
        Some(s) if s >= 500 => SourceErrorKind::Transient,
        _ => SourceErrorKind::Permanent,
    }
}

/// Whether an access-denied message is about KMS: it names a `kms:` action or a KMS key ARN
/// (`arn:aws:kms:<region>:<account>:key/...`), or speaks of a KMS key.
fn names_kms(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("kms:") || message.contains("kms key")
}

/// Sorts any SDK call failure: no answer at all (timeout, connection refused or reset, a
/// response that could not be read) is transient; an answer is sorted by [`classify`].
pub(crate) fn kind_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> SourceErrorKind {
    match err {
        SdkError::ServiceError(ctx) => classify(
            ctx.err().code(),
            ctx.err().message(),
            Some(ctx.raw().status().as_u16()),
        ),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            SourceErrorKind::Transient
        }
        // Construction failures and anything the SDK adds later: a bug or a misconfiguration.
        _ => SourceErrorKind::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_sorted_by_code_then_status() {
        let cases: [(&str, Option<&str>, Option<u16>, SourceErrorKind); 13] = [
            (
                "modeled NoSuchKey",
                Some("NoSuchKey"),
                Some(404),
                SourceErrorKind::NotFound,
            ),
            (
                "HEAD-style 404 without code",
                None,
                Some(404),
                SourceErrorKind::NotFound,
            ),
            (
                "deleted version",
                Some("NoSuchVersion"),
                Some(404),
                SourceErrorKind::NotFound,
            ),
            (
                "bucket gone",
                Some("NoSuchBucket"),
                Some(404),
                SourceErrorKind::Permanent,
            ),
            (
                "access denied",
                Some("AccessDenied"),
                Some(403),
                SourceErrorKind::AccessDenied,
            ),
            ("bare 403", None, Some(403), SourceErrorKind::AccessDenied),
            (
                "S3 slow down",
                Some("SlowDown"),
                Some(503),
                SourceErrorKind::Transient,
            ),
            (
                "SNS throttling on a 400",
                Some("Throttling"),
                Some(400),
                SourceErrorKind::Transient,
            ),
            (
                "internal error",
                Some("InternalError"),
                Some(500),
                SourceErrorKind::Transient,
            ),
            ("bare 502", None, Some(502), SourceErrorKind::Transient),
            ("429", None, Some(429), SourceErrorKind::Transient),
            (
                "invalid parameter",
                Some("InvalidParameter"),
                Some(400),
                SourceErrorKind::Permanent,
            ),
            ("unknown", None, None, SourceErrorKind::Permanent),
        ];
        for (name, code, status, want) in cases {
            assert_eq!(classify(code, None, status), want, "case {name}");
        }
    }

    #[test]
    fn kms_refusals_are_told_apart_from_other_denials() {
        let denied_by_kms = "User: arn:aws:sts::111122223333:assumed-role/trailwatch/fn is not \
            authorized to perform: kms:Decrypt on resource: \
            arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \
            because no identity-based policy allows the kms:Decrypt action";
        // (case, code, message, status, kind)
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            Option<u16>,
            SourceErrorKind,
        );
        let cases: [Case; 7] = [
            (
                "AccessDenied naming kms:Decrypt",
                Some("AccessDenied"),
                Some(denied_by_kms),
                Some(403),
                SourceErrorKind::KmsDenied,
            ),
            (
                "403 without a code whose message names kms:Decrypt",
                None,
                Some(denied_by_kms),
                Some(403),
                SourceErrorKind::KmsDenied,
            ),
            (
                "disabled key",
                Some("KMS.DisabledException"),
                Some("arn:aws:kms:eu-west-1:111122223333:key/1234 is disabled."),
                Some(400),
                SourceErrorKind::KmsDenied,
            ),
            (
                "key pending deletion",
                Some("KMS.KMSInvalidStateException"),
                None,
                Some(400),
                SourceErrorKind::KmsDenied,
            ),
            (
                "key gone",
                Some("KMS.NotFoundException"),
                None,
                Some(400),
                SourceErrorKind::KmsDenied,
            ),
            (
                "plain Access Denied stays an S3 denial",
                Some("AccessDenied"),
                Some("Access Denied"),
                Some(403),
                SourceErrorKind::AccessDenied,
            ),
            (
                "an S3 denial naming s3:GetObject",
                Some("AccessDenied"),
                Some("User: arn:aws:sts::111122223333:assumed-role/trailwatch/fn is not authorized to perform: s3:GetObject"),
                Some(403),
                SourceErrorKind::AccessDenied,
            ),
        ];
        for (name, code, message, status, want) in cases {
            assert_eq!(classify(code, message, status), want, "case {name}");
        }
    }
}
