//! The Organizations adapter on the real SDK client (aws-smithy-mocks): every page read, how
//! refusals and throttling end, the checks on what comes back, and where the client sends.

use std::time::Duration;

use aws_sdk_organizations::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sdk_organizations::config::retry::RetryConfig;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::types::Account;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};

use super::*;
use crate::ports::SourceErrorKind;

fn client(rules: &[&Rule]) -> Client {
    mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        rules.iter().copied(),
        |c| {
            c.retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
        }
    )
}

fn account(id: &str, name: &str) -> Account {
    Account::builder().id(id).name(name).build()
}

#[tokio::test]
async fn every_page_is_read() {
    let first = mock!(Client::list_accounts)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account("111111111111", "Production"))
                .accounts(account("123456789012", "Management"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::list_accounts)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account("999988887777", "Dev"))
                .build()
        });
    let names = organization_names(&client(&[&first, &second]))
        .await
        .unwrap();
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(names.len(), 3);
    assert_eq!(names.get("111111111111"), Some("Production"));
    assert_eq!(names.get("999988887777"), Some("Dev"));
}

#[tokio::test]
async fn a_refusal_is_access_denied_naming_organizations() {
    // What ListAccounts answers outside the management account and its delegated administrators.
    let denied = mock!(Client::list_accounts)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."}"#
                    .into(),
            ),
        )
        .repeatedly()
        .build();
    let err = organization_names(&client(&[&denied])).await.unwrap_err();
    let OrganizationsError::List(source) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), SourceErrorKind::AccessDenied, "{err}");
    assert_eq!(denied.num_calls(), 1, "a refusal is not retried");
    assert!(err.to_string().starts_with(ORIGIN), "{err}");
}

#[tokio::test]
async fn throttling_fails_after_the_sdks_retries() {
    let throttled = mock!(Client::list_accounts)
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"TooManyRequestsException","Message":"Rate exceeded"}"#.into()),
        )
        .repeatedly()
        .build();
    let err = organization_names(&client(&[&throttled]))
        .await
        .unwrap_err();
    assert_eq!(throttled.num_calls(), 3, "the SDK retried");
    let OrganizationsError::List(source) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), SourceErrorKind::Transient, "{err}");
}

#[tokio::test]
async fn an_account_named_wrongly_refuses_every_name() {
    let listed = mock!(Client::list_accounts).then_output(|| {
        ListAccountsOutput::builder()
            .accounts(account("111111111111", "Production"))
            .accounts(account("999988887777", "Dev\nSubject: forged"))
            .build()
    });
    let err = organization_names(&client(&[&listed])).await.unwrap_err();
    assert!(
        matches!(
            &err,
            OrganizationsError::Names(NamesError::BadName { origin, id, .. })
                if origin == ORIGIN && id == "999988887777"
        ),
        "{err:?}"
    );
    // A listing without a name (the model allows it; AWS does not send one) is refused too.
    let nameless = mock!(Client::list_accounts).then_output(|| {
        ListAccountsOutput::builder()
            .accounts(Account::builder().id("111111111111").build())
            .build()
    });
    let err = organization_names(&client(&[&nameless])).await.unwrap_err();
    assert!(
        matches!(&err, OrganizationsError::Names(NamesError::BadName { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_client_reaches_us_east_1_from_any_region_or_none() {
    // What the SDK's rules give the aws partition: the us-east-1 endpoint, signed for us-east-1.
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let params = Params::builder().region(region).build().unwrap();
        let endpoint = DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .unwrap();
        assert_eq!(
            endpoint.url(),
            "https://organizations.us-east-1.amazonaws.com",
            "{region}"
        );
        let signing: Vec<_> = endpoint
            .auth_schemes()
            .iter()
            .map(|scheme| scheme.get("signingRegion").and_then(|r| r.as_string()))
            .collect();
        assert_eq!(signing, [Some("us-east-1")], "{region}");
    }
    let none = aws_config::SdkConfig::builder().build();
    assert_eq!(
        organizations_client(&none)
            .config()
            .region()
            .map(|r| r.as_ref()),
        Some("us-east-1"),
        "without a Region the client still has one"
    );
    let elsewhere = aws_config::SdkConfig::builder()
        .region(Region::from_static("eu-west-1"))
        .build();
    assert_eq!(
        organizations_client(&elsewhere)
            .config()
            .region()
            .map(|r| r.as_ref()),
        Some("eu-west-1"),
        "a Region given is kept (the endpoint rules do the rest)"
    );
}
