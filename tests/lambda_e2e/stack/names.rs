//! Account names from AWS Organizations (`AccountNamesFromOrganizations`) on the stack world:
//! the stack's account is the organization's management account, whose member accounts deliver;
//! the function role lists them at cold start and every alert carries the name Organizations
//! gives. Without the parameter the role may not call ListAccounts, and a function told to
//! anyway refuses to start; with it but no organization, the start fails naming Organizations.

use aws_sdk_organizations::types::CreateAccountState;
use trailwatch::aws::OrganizationsError;
use trailwatch::config::NamesSource;

use super::*;
use crate::world::delivery;

/// Creates an organization managed by the stack's account on `sdk`'s endpoint, with a member
/// account for each name; their ids, which moto draws at random.
async fn create_organization(sdk: &SdkConfig, names: &[&str]) -> Vec<String> {
    let orgs = aws_sdk_organizations::Client::new(sdk);
    orgs.create_organization().send().await.unwrap();
    let mut ids = Vec::new();
    for name in names {
        let status = orgs
            .create_account()
            .account_name(*name)
            .email(format!("{}@example.com", name.to_ascii_lowercase()))
            .send()
            .await
            .unwrap();
        let status = status.create_account_status().unwrap();
        assert_eq!(status.state(), Some(&CreateAccountState::Succeeded));
        ids.push(status.account_id().unwrap().to_string());
    }
    ids
}

/// The function role's ListAccounts, for the least-privilege checks.
async fn list_as_function(
    world: &StackWorld,
) -> Result<
    aws_sdk_organizations::operation::list_accounts::ListAccountsOutput,
    SdkError<aws_sdk_organizations::operation::list_accounts::ListAccountsError, HttpResponse>,
> {
    aws_sdk_organizations::Client::new(&world.function)
        .list_accounts()
        .send()
        .await
}

#[tokio::test]
async fn alerts_carry_the_names_organizations_gives_its_accounts() {
    let moto = Moto::start_stack_world();
    let setup = sdk_as(
        &moto.endpoint,
        Credentials::new("testing", "testing", None, None, "setup"),
    )
    .await;
    let ids = create_organization(&setup, &["Payments", "Data Lake"]).await;
    let members = ids.join(",");
    let world = StackWorld::create_on(
        moto,
        parameters(&[
            ("MemberAccountIds", &members),
            ("AccountTeamAccountIds", &ids[0]),
            ("AccountNamesFromOrganizations", "true"),
        ]),
    )
    .await;
    assert_eq!(world.config.account_names, Some(NamesSource::Organizations));

    for (id, suffix) in ids.iter().zip(["OrgNamedPayment1", "OrgNamedDataLak1"]) {
        world
            .deliver(
                &member_key(id, "eu-west-1", suffix),
                delivery(id, "eu-west-1", &["CloudWatch.1"]),
            )
            .await;
    }
    let function = world
        .cold_start()
        .await
        .expect("the role lists the organization's accounts");
    let invocations = world.invocations().await;
    assert_eq!(invocations.len(), 2, "{invocations:#?}");
    for invocation in &invocations {
        invoke(&function, invocation)
            .await
            .expect("the function handles the delivery");
    }
    let security = world.team("SecurityTeamSubscription").await;
    let mut named: Vec<(String, String, String)> = security
        .iter()
        .map(|d| {
            (
                d.alert["account_id"].as_str().unwrap().to_string(),
                d.alert["account_name"]
                    .as_str()
                    .unwrap_or("(none)")
                    .to_string(),
                d.attributes
                    .get("account_name")
                    .cloned()
                    .unwrap_or_else(|| "(none)".into()),
            )
        })
        .collect();
    named.sort();
    let mut want: Vec<(String, String, String)> = ids
        .iter()
        .zip(["Payments", "Data Lake"])
        .map(|(id, name)| (id.clone(), name.to_string(), name.to_string()))
        .collect();
    want.sort();
    assert_eq!(
        named, want,
        "one CloudWatch.1 per account, named in the alert and its attributes"
    );

    // ListAccounts and nothing else of Organizations.
    let listed = list_as_function(&world).await.unwrap();
    assert_eq!(
        listed.accounts().len(),
        3,
        "the management account and both members"
    );
    assert_refused(
        aws_sdk_organizations::Client::new(&world.function)
            .describe_organization()
            .send()
            .await,
        "the function role describes the organization",
    );
}

#[tokio::test]
async fn without_the_parameter_the_role_may_not_list_accounts_and_the_function_will_not_start() {
    let world = StackWorld::create(&[]).await;
    assert_eq!(world.config.account_names, None);
    // The operator administers the management account.
    create_organization(&world.operator, &["Payments"]).await;
    assert_refused(
        list_as_function(&world).await,
        "the function role lists the organization's accounts",
    );
    let told = LambdaConfig {
        account_names: Some(NamesSource::Organizations),
        ..world.config.clone()
    };
    let refused = Function::cold_start(&told, &world.function).await;
    let Err(err) = &refused else {
        panic!("the function started without leave to list the accounts")
    };
    // moto answers this JSON-protocol service's refusal with IAM's XML error, which the SDK
    // cannot decode, so the kind is not AccessDenied here (the adapter's unit test sorts
    // AWS's own AccessDeniedException); the answer kept as the cause is IAM's all the same.
    let kept = format!("{err:?}");
    assert!(
        matches!(
            err,
            ColdStartError::Organizations(OrganizationsError::List(_))
        ) && kept.contains("not authorized to perform: organizations:ListAccounts"),
        "{kept}"
    );
}

#[tokio::test]
async fn with_no_organization_the_function_will_not_start_and_says_why() {
    let world = StackWorld::create(&[("AccountNamesFromOrganizations", "true")]).await;
    let refused = world.cold_start().await;
    let Err(err) = &refused else {
        panic!("the function started without an organization to name its accounts")
    };
    let why = trailwatch::error::chain(err);
    assert!(matches!(err, ColdStartError::Organizations(_)), "{why}");
    assert!(
        why.starts_with("reading the account names from AWS Organizations: ")
            && why.contains("AWSOrganizationsNotInUseException"),
        "{why}"
    );
}
