//! `flinkha timeline`.

use std::process::ExitCode;

/// Run `flinkha timeline`.
pub fn run(_args: super::TimelineArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`flinkha timeline` is not built yet")
}
