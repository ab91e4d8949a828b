//! `flinkha events`.

use std::process::ExitCode;

/// Run `flinkha events`.
pub fn run(_args: super::EventsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`flinkha events` is not built yet")
}
