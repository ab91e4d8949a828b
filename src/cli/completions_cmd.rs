//! `flinkha completions SHELL`: the shell completion script on standard output (clap_complete).

use super::{Cli, CompletionsArgs};
use clap::CommandFactory;
use std::process::ExitCode;

/// Run `flinkha completions`.
pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let script = script(args.shell);
    super::write_stdout(&script)
}

/// The completion script of `shell`, generated into memory first: the generator panics on a
/// failed write, and a closed pipe (`… | head`) must not be a panic.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "flinkha", &mut out);
    out
}
