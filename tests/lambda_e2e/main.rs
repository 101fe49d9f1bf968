//! End-to-end tests of the Lambda function against moto, an AWS emulator run on loopback.
//!
//! Each test starts its own moto server (from `.venv/moto`, installed by
//! `scripts/e2e-setup.sh`; a missing install fails the test rather than skipping it) and plays
//! the CloudTrail sharing guide's scenario on it:
//! - `scenarios`: the handler in-process over real S3, SNS and SQS HTTP calls;
//! - `bootstrap`: the built `bootstrap` binary behind cargo-lambda's Lambda Runtime API
//!   emulator, invoked with the fixtures of `events/`, its metric lines read back (`emf`): the
//!   x86 debug build, and the arm64
//!   artifact that `sam build` ships under `qemu-aarch64` (`TRAILWATCH_ARM64_BOOTSTRAP`, from
//!   `scripts/build-lambda.sh`; unset, that test fails);
//! - `integrity`: log-file integrity validation on signed, chained digests with every
//!   tampering of INTEGRITY.md planted once (`digest_world`): the `bootstrap` binary, `trailwatch
//!   verify` and `trailwatch replay` raise the same alerts, the heartbeat and `verify
//!   --expected-accounts` the same `digest-late` ones, and `verify`'s exit statuses;
//! - `faults`: the handler with a fault-injecting proxy (`proxy`) between it and moto;
//! - `tls`: moto on HTTPS with a CA of the test's own: `trailwatch replay`, the x86
//!   `bootstrap` and the arm64 artifact read S3 through TLS when `SSL_CERT_FILE` trusts that
//!   CA, and refuse the server when it does not;
//! - `load`: 1,000 deliveries through moto's S3 → SQS notifications and the SQS trigger,
//!   accounted for from the function's own log lines (`tally`);
//! - `stack`: infra/template.yaml itself created on moto's CloudFormation, the handler run
//!   with the stack's function role while moto enforces IAM, and every least-privilege claim
//!   of infra/README.md checked against the deployed roles.

mod bootstrap;
mod digest_world;
mod emf;
mod faults;
mod integrity;
mod load;
mod moto;
mod proxy;
mod scenarios;
mod stack;
mod tally;
mod tls;
mod world;
