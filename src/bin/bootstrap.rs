//! The trailwatch Lambda function (`bootstrap`, as `cargo lambda build` names it).
//!
//! Cold start reads and validates the `TRAILWATCH_*` configuration and builds the
//! [`Function`] once (clients, rules, public keys); any problem there stops the function
//! before its first event, with the reason logged. Each invocation is then
//! [`Function::invoke`] with the invocation's deadline. The SDK takes its settings from the
//! standard environment, `AWS_ENDPOINT_URL` included.

use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;
use trailwatch::aws;
use trailwatch::config::LambdaConfig;
use trailwatch::function::Function;
use trailwatch::handler::InvocationError;
use trailwatch::integrity::Deadline;

async fn cold_start() -> anyhow::Result<Function> {
    let config = LambdaConfig::from_env().context("invalid configuration")?;
    let sdk = aws::sdk_config().await;
    Ok(Function::cold_start(&config, &sdk).await?)
}

async fn invoke(function: &Function, event: LambdaEvent<Value>) -> Result<Value, InvocationError> {
    // The runtime gives the deadline as wall-clock time; the checks measure it monotonically.
    let deadline = match event.context.deadline().duration_since(SystemTime::now()) {
        Ok(left) => Deadline::at(Instant::now() + left),
        // Lambda never starts an invocation past its deadline; a local emulator that sends a
        // duration where Lambda sends a time does. Checking as if no time were left would fail
        // every digest, so the invocation runs unbounded and says so.
        Err(_) => {
            tracing::warn!(
                deadline_ms = event.context.deadline,
                "The invocation's deadline has already passed, which Lambda never sends; running without one."
            );
            Deadline::NONE
        }
    };
    function.invoke(&event.payload, deadline).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let function = match cold_start().await {
        Ok(function) => function,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "trailwatch cannot start.");
            return Err(e.into());
        }
    };
    let function = &function;
    lambda_runtime::run(service_fn(move |event| invoke(function, event))).await
}
