//! `flinkha stats`.

use std::process::ExitCode;

/// Run `flinkha stats`.
pub fn run(_args: super::StatsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`flinkha stats` is not built yet")
}
