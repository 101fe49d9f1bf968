//! Account names: what a reader calls `999988887777` ("Dev"), from a file the deployment names
//! in `TRAILWATCH_ACCOUNT_NAMES` or from AWS Organizations ([`AccountNames::from_pairs`], fed
//! by the adapter). Alerts carry the name beside the id; nothing is decided by it.
//!
//! Three shapes of file are read, told apart by their first character:
//!
//! ```text
//! # TOML: account id = name
//! 111111111111 = "Production"
//! "999988887777" = "Dev"
//!
//! {"111111111111": "Production", "999988887777": "Dev"}          JSON: the same map
//!
//! {"Accounts": [{"Id": "111111111111", "Name": "Production", …}]}   `aws organizations list-accounts`
//! ```
//!
//! Every id must be 12 digits and every name 1 to 50 characters (AWS's own bound) without
//! control characters: a name reaches e-mail subjects and SNS attributes, where a line break or
//! an escape sequence would forge text or fail the publish.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::line_col;
use crate::key::is_account_id;

/// The longest account name AWS Organizations allows.
pub const MAX_NAME_CHARS: usize = 50;

/// Account ids with their names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountNames {
    names: BTreeMap<String, String>,
}

/// Why account names cannot be used; each names where they came from (a file, Organizations).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamesError {
    /// Not TOML, not JSON, or not one of the accepted shapes.
    #[error("{origin}{}: {message}", .line_col.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Syntax {
        /// The file's path or URI, or Organizations.
        origin: String,
        /// 1-based line and column, when the parser gives them.
        line_col: Option<(usize, usize)>,
        /// What the parser says.
        message: String,
    },
    /// A key that is no account id.
    #[error("{origin}: `{id}` is not a 12-digit account id")]
    BadId {
        /// The file's path or URI, or Organizations.
        origin: String,
        /// The key as written.
        id: String,
    },
    /// A name that is empty, too long or holds a control character.
    #[error("{origin}: the name of account {id} {problem}")]
    BadName {
        /// The file's path or URI, or Organizations.
        origin: String,
        /// The account.
        id: String,
        /// What is wrong, as a phrase.
        problem: &'static str,
    },
    /// The same account twice (possible in the Organizations shape, or from Organizations).
    #[error("{origin}: account {id} is named twice")]
    Duplicate {
        /// The file's path or URI, or Organizations.
        origin: String,
        /// The account.
        id: String,
    },
}

/// `aws organizations list-accounts`'s output, of which only ids and names are read.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listing {
    accounts: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listed {
    id: String,
    name: String,
}

impl AccountNames {
    /// The names in `text`, a file in one of the shapes above; `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<AccountNames, NamesError> {
        let syntax = |line_col, message: String| NamesError::Syntax {
            origin: origin.to_owned(),
            line_col,
            message,
        };
        let pairs: Vec<(String, String)> = if text.trim_start().starts_with('{') {
            let json_error =
                |e: serde_json::Error| syntax(Some((e.line(), e.column())), e.to_string());
            // Which shape decides the type; the text is then read again as that type, so that
            // an error names its line and column.
            let value: serde_json::Value = serde_json::from_str(text).map_err(json_error)?;
            if value.get("Accounts").is_some() {
                let listing: Listing = serde_json::from_str(text).map_err(json_error)?;
                listing
                    .accounts
                    .into_iter()
                    .map(|a| (a.id, a.name))
                    .collect()
            } else {
                let map: BTreeMap<String, String> =
                    serde_json::from_str(text).map_err(json_error)?;
                map.into_iter().collect()
            }
        } else {
            let map: BTreeMap<String, String> = toml::from_str(text).map_err(|e| {
                let line_col = e.span().map(|span| line_col(text, span.start));
                syntax(line_col, e.message().trim().to_owned())
            })?;
            map.into_iter().collect()
        };
        AccountNames::from_pairs(origin, pairs)
    }

    /// The names of `pairs` of account id and name, however they were read (a file, AWS
    /// Organizations), under the same checks; `origin` names their source in errors.
    pub fn from_pairs(
        origin: &str,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<AccountNames, NamesError> {
        let mut names = BTreeMap::new();
        for (id, name) in pairs {
            check(origin, &id, &name)?;
            if names.insert(id.clone(), name).is_some() {
                return Err(NamesError::Duplicate {
                    origin: origin.to_owned(),
                    id,
                });
            }
        }
        Ok(AccountNames { names })
    }

    /// The name of `account_id`, if known.
    pub fn get(&self, account_id: &str) -> Option<&str> {
        self.names.get(account_id).map(String::as_str)
    }

    /// How many accounts are named.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no account is named.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

fn check(origin: &str, id: &str, name: &str) -> Result<(), NamesError> {
    if !is_account_id(id) {
        return Err(NamesError::BadId {
            origin: origin.to_owned(),
            id: id.to_owned(),
        });
    }
    let problem = if name.trim().is_empty() {
        Some("is empty")
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some("is longer than 50 characters")
    } else if name.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(NamesError::BadName {
            origin: origin.to_owned(),
            id: id.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
