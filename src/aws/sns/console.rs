//! Links from an alert's e-mail text to the AWS console: the event in CloudTrail's event
//! history, and the object in the S3 console.
//!
//! The forms are the consoles' own (2026):
//! `https://<region>.console.aws.amazon.com/cloudtrailv2/home?region=<region>#/events/<eventID>`
//! and `https://<region>.console.aws.amazon.com/s3/object/<bucket>?region=<region>&bucketType=general&prefix=<key>`.
//! Event history holds the last 90 days of management events of the account and region the
//! reader is signed in to, so the event link opens for a reader signed in to the alert's
//! account; data events and older ones are in the object the second link shows.
//!
//! Every part after the host is percent-encoded (a forged log chooses its event id and key),
//! and a region that is not a well-formed region name gives no link at all, so nothing a log
//! writes can choose the host. Links are for the `aws` partition only: China and GovCloud
//! consoles live on other domains and get none.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::alert::{Alert, AlertKind};
use crate::key::is_region;

/// Everything but RFC 3986's unreserved characters and `/`, which keeps a key readable.
const PART: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Whether `region` is of the `aws` partition (not `cn-…`, not `us-gov-…`) and well-formed.
fn commercial(region: &str) -> bool {
    is_region(region) && !region.starts_with("cn-") && !region.starts_with("us-gov-")
}

/// The event of a detection in CloudTrail's event history, when the alert names its event
/// and a region. An Insights event is not in event history (its record is in the alert and
/// its file in the object link), so an `insight.*` detection gets no event link.
pub fn event_link(alert: &Alert) -> Option<String> {
    if alert.kind != AlertKind::Detection || alert.insight.is_some() {
        return None;
    }
    let region = alert.region.as_deref().filter(|r| commercial(r))?;
    let event_id = alert.event_id.as_deref()?;
    Some(format!(
        "https://{region}.console.aws.amazon.com/cloudtrailv2/home?region={region}#/events/{}",
        utf8_percent_encode(event_id, PART)
    ))
}

/// The alert's object in the S3 console; `bucket_region` is where the bucket lives (the
/// function's own region: S3 notifies only functions of its region), without which the
/// console's global host finds it.
pub fn object_link(alert: &Alert, bucket_region: Option<&str>) -> Option<String> {
    let (bucket, key) = (alert.bucket.as_deref()?, alert.key.as_deref()?);
    let (bucket, key) = (
        utf8_percent_encode(bucket, PART),
        utf8_percent_encode(key, PART),
    );
    Some(match bucket_region {
        Some(region) if commercial(region) => format!(
            "https://{region}.console.aws.amazon.com/s3/object/{bucket}?region={region}&bucketType=general&prefix={key}"
        ),
        Some(_) => return None,
        None => format!(
            "https://console.aws.amazon.com/s3/object/{bucket}?bucketType=general&prefix={key}"
        ),
    })
}
