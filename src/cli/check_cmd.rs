//! `flinkha check`.

use std::process::ExitCode;

/// Run `flinkha check`.
pub fn run(_args: super::CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`flinkha check` is not built yet")
}
