//! S3, DynamoDB and Athena calls.

use serde_json::{json, Value};

use super::{Call, Gen};

const S3: &str = "s3.amazonaws.com";
const DYNAMODB: &str = "dynamodb.amazonaws.com";

/// Object keys, a few with non-ASCII names as users upload them.
const OBJECT_KEYS: &[&str] = &[
    "events/2025/03/14/part-00017.snappy.parquet",
    "uploads/invoices/INV-2025-0042.pdf",
    "exports/rapport-données-mensuel.csv",
    "media/thumbnails/東京-オフィス.jpg",
    "state/platform/terraform.tfstate",
    "builds/orders-api/v1.42.0/bundle.zip",
];

/// What S3 adds to every record: signature and TLS details, bytes moved, the host id.
fn s3_extra(g: &mut Gen<'_>, bytes_in: u64, bytes_out: u64) -> Value {
    json!({
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": bytes_in,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": format!("{}=", g.rng.base64(75)),
        "bytesTransferredOut": bytes_out,
    })
}

fn bucket_resources(g: &Gen<'_>, bucket: &str) -> Value {
    json!([{"accountId": g.account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}])
}

/// A call on one bucket: bucket name, virtual-hosted endpoint, S3-style request id.
pub(crate) fn on_bucket(
    g: &mut Gen<'_>,
    name: &'static str,
    read_only: bool,
    bucket: &str,
    mut request: Value,
) -> Call {
    let host = format!("{bucket}.s3.{}.amazonaws.com", g.region);
    if let Some(map) = request.as_object_mut() {
        map.insert("bucketName".into(), json!(bucket));
        map.insert("Host".into(), json!(host));
    }
    let extra = s3_extra(g, 0, 0);
    Call::new(S3, name, read_only, request, Value::Null)
        .additional(extra)
        .resources(bucket_resources(g, bucket))
        .host(host)
        .request_id(g.rng.upper_alnum(16))
        .version("1.10")
}

pub(super) fn list_buckets(g: &mut Gen<'_>) -> Call {
    let host = format!("s3.{}.amazonaws.com", g.region);
    let extra = s3_extra(g, 0, 0);
    Call::new(S3, "ListBuckets", true, json!({"Host": host}), Value::Null)
        .additional(extra)
        .host(host)
        .request_id(g.rng.upper_alnum(16))
        .version("1.10")
}

pub(super) fn bucket_read(g: &mut Gen<'_>) -> Call {
    let bucket = g.bucket();
    let (name, sub) = g.rng.pick(&[
        ("GetBucketAcl", "acl"),
        ("GetBucketPolicy", "policy"),
        ("GetBucketLocation", "location"),
        ("GetBucketVersioning", "versioning"),
        ("GetBucketEncryption", "encryption"),
        ("GetBucketPublicAccessBlock", "publicAccessBlock"),
        ("GetBucketTagging", "tagging"),
        ("GetBucketLogging", "logging"),
    ]);
    on_bucket(g, name, true, &bucket, json!({ sub: "" }))
}

/// Object reads and writes: data events, which CloudTrail marks `managementEvent: false`.
pub(super) fn object_access(g: &mut Gen<'_>) -> Call {
    let bucket = g.bucket();
    let key = g.rng.pick(OBJECT_KEYS);
    let (name, read_only, bytes_in, bytes_out) = match g.rng.below(3) {
        0 => ("PutObject", false, g.rng.between(200, 5_000_000), 0),
        1 => ("HeadObject", true, 0, 0),
        _ => ("GetObject", true, 0, g.rng.between(200, 5_000_000)),
    };
    let mut call = on_bucket(g, name, read_only, &bucket, json!({ "key": key }));
    call.additional = Some(s3_extra(g, bytes_in, bytes_out));
    call.resources = Some(json!([
        {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
        {"accountId": g.account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")},
    ]));
    if name == "PutObject" {
        call.response = json!({
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": g.kms_key_arn(),
            "x-amz-server-side-encryption-bucket-key-enabled": "true",
            "x-amz-version-id": g.rng.alnum(32),
        });
    }
    call.data_event()
}

pub(super) fn put_bucket_tagging(g: &mut Gen<'_>) -> Call {
    let bucket = g.bucket();
    let team = g.team();
    let env = g.environment();
    on_bucket(
        g,
        "PutBucketTagging",
        false,
        &bucket,
        json!({
            "tagging": "",
            "Tagging": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "TagSet": {"Tag": [{"Key": "Team", "Value": team}, {"Key": "Environment", "Value": env}]},
            },
        }),
    )
}

pub(super) fn create_bucket(g: &mut Gen<'_>) -> Call {
    let bucket = format!("scratch-{}-{}-{}", g.rng.hex(6), g.account, g.region);
    let region = g.region.to_string();
    on_bucket(
        g,
        "CreateBucket",
        false,
        &bucket,
        json!({
            "CreateBucketConfiguration": {
                "LocationConstraint": region,
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
            },
            "x-amz-object-ownership": "BucketOwnerEnforced",
        }),
    )
}

fn table_arn(g: &Gen<'_>, table: &str) -> String {
    format!("arn:aws:dynamodb:{}:{}:table/{table}", g.region, g.account)
}

pub(super) fn dynamodb_read(g: &mut Gen<'_>) -> Call {
    let table = g.table();
    let name = g.rng.pick(&[
        "DescribeTable",
        "DescribeTable",
        "ListTables",
        "DescribeContinuousBackups",
        "DescribeTimeToLive",
    ]);
    let request = if name == "ListTables" {
        Value::Null
    } else {
        json!({ "tableName": table })
    };
    let call = Call::new(DYNAMODB, name, true, request, Value::Null).version("1.08");
    if name == "ListTables" {
        call
    } else {
        let arn = table_arn(g, table);
        call.resources(
            json!([{"accountId": g.account, "type": "AWS::DynamoDB::Table", "ARN": arn}]),
        )
    }
}

/// DynamoDB data events hide item keys and expressions.
pub(super) fn get_item(g: &mut Gen<'_>) -> Call {
    let table = g.table();
    let arn = table_arn(g, table);
    Call::new(
        DYNAMODB,
        "GetItem",
        true,
        json!({
            "tableName": table,
            "key": {"pk": "HIDDEN_DUE_TO_SECURITY_REASONS", "sk": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "consistentRead": false,
            "projectionExpression": "HIDDEN_DUE_TO_SECURITY_REASONS",
        }),
        Value::Null,
    )
    .resources(json!([{"accountId": g.account, "type": "AWS::DynamoDB::Table", "ARN": arn}]))
    .data_event()
    .version("1.08")
}

pub(super) fn create_table(g: &mut Gen<'_>) -> Call {
    let table = format!(
        "{}-{}",
        g.rng.pick(&["audit", "carts", "leases"]),
        g.rng.hex(4)
    );
    let arn = table_arn(g, &table);
    let key = g.kms_key_arn();
    let tags = g.tags();
    let attributes = json!([
        {"attributeName": "pk", "attributeType": "S"},
        {"attributeName": "sk", "attributeType": "S"},
    ]);
    let schema = json!([
        {"attributeName": "pk", "keyType": "HASH"},
        {"attributeName": "sk", "keyType": "RANGE"},
    ]);
    Call::new(
        DYNAMODB,
        "CreateTable",
        false,
        json!({
            "tableName": table,
            "attributeDefinitions": attributes,
            "keySchema": schema,
            "billingMode": "PAY_PER_REQUEST",
            "sSESpecification": {"enabled": true, "sSEType": "KMS", "kMSMasterKeyId": key},
            "tags": tags,
            "deletionProtectionEnabled": true,
        }),
        json!({"tableDescription": {
            "attributeDefinitions": attributes,
            "tableName": table,
            "keySchema": schema,
            "tableStatus": "CREATING",
            "creationDateTime": g.at.iam_style(),
            "provisionedThroughput": {"numberOfDecreasesToday": 0, "readCapacityUnits": 0, "writeCapacityUnits": 0},
            "tableSizeBytes": 0,
            "itemCount": 0,
            "tableArn": arn,
            "tableId": g.rng.uuid(),
            "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
            "sSEDescription": {"status": "ENABLED", "sSEType": "KMS", "kMSMasterKeyArn": key},
            "deletionProtectionEnabled": true,
        }}),
    )
    .resources(json!([{"accountId": g.account, "type": "AWS::DynamoDB::Table", "ARN": arn}]))
    .version("1.08")
}

/// A query string with quotes, newlines and a non-ASCII comment, as analysts write them.
pub(super) fn start_query_execution(g: &mut Gen<'_>) -> Call {
    let query = format!(
        "-- revue hebdomadaire des accès refusés (équipe sécurité)\n\
         SELECT useridentity.arn, eventname, count(*) AS calls\n\
         FROM \"cloudtrail_logs\".\"management_{}\"\n\
         WHERE eventtime > '{}' AND errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation')\n\
         GROUP BY 1, 2\nORDER BY calls DESC\nLIMIT 50",
        g.account,
        g.at.earlier(86_399).iso()
    );
    let output = format!("s3://{}/athena-results/", g.bucket());
    Call::new(
        "athena.amazonaws.com",
        "StartQueryExecution",
        false,
        json!({
            "queryString": query,
            "clientRequestToken": g.rng.uuid(),
            "queryExecutionContext": {"database": "cloudtrail_logs"},
            "resultConfiguration": {"outputLocation": output},
            "workGroup": "primary",
        }),
        json!({"queryExecutionId": g.rng.uuid()}),
    )
}
