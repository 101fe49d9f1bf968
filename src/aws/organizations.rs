//! [`organization_names`]: the account names of `TRAILWATCH_ACCOUNT_NAMES=organizations`,
//! every page of AWS Organizations' ListAccounts, read once at cold start (or by the CLI).
//!
//! Only the organization's management account or a delegated administrator may call
//! ListAccounts; anywhere else it is refused, which stops the function like a bad names file.

use aws_config::SdkConfig;
use aws_sdk_organizations::config::Region;
use aws_sdk_organizations::Client;

use super::kind_of;
use crate::accounts::{AccountNames, NamesError};
use crate::ports::SourceError;

/// How errors name names read from Organizations.
pub const ORIGIN: &str = "AWS Organizations (ListAccounts)";

/// Why the organization's accounts give no names.
#[derive(Debug, thiserror::Error)]
pub enum OrganizationsError {
    /// ListAccounts failed (refused, throttled past the retries, unreachable).
    #[error(transparent)]
    List(SourceError),
    /// An account's id or name fails the checks every names file passes.
    #[error(transparent)]
    Names(#[from] NamesError),
}

/// An Organizations client for `sdk`. The service's endpoint for the aws partition is in
/// us-east-1 whatever the Region, and the SDK resolves it from any Region (and sends to
/// `AWS_ENDPOINT_URL` when set); with no Region at all (a CLI run without one) it resolves
/// nothing, so us-east-1 is given then.
pub fn organizations_client(sdk: &SdkConfig) -> Client {
    let mut config = aws_sdk_organizations::config::Builder::from(sdk);
    if sdk.region().is_none() {
        config = config.region(Region::from_static("us-east-1"));
    }
    Client::from_conf(config.build())
}

/// Every account of the organization with its name, under [`AccountNames::from_pairs`]'s
/// checks.
pub async fn organization_names(client: &Client) -> Result<AccountNames, OrganizationsError> {
    let mut pages = client.list_accounts().into_paginator().send();
    let mut pairs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            OrganizationsError::List(SourceError::new(kind_of(&e), ORIGIN).caused_by(e))
        })?;
        // The model leaves both optional; AWS always sends them. A missing one is checked as
        // empty, so it is refused rather than skipped.
        pairs.extend(page.accounts().iter().map(|account| {
            (
                account.id().unwrap_or_default().to_owned(),
                account.name().unwrap_or_default().to_owned(),
            )
        }));
    }
    Ok(AccountNames::from_pairs(ORIGIN, pairs)?)
}

#[cfg(test)]
mod tests;
