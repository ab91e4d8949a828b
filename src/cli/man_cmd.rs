//! `flinkha man`: the manual pages (clap_mangen), generated from the same argument
//! definitions as `--help`, so they never drift apart.
//!
//! `flinkha man` prints flinkha(1), `flinkha man check` prints flinkha-check(1), and
//! `flinkha man --dir DIR` writes every page (`flinkha.1`, `flinkha-check.1`, …) into DIR.

use super::{Cli, ManArgs};
use anyhow::{bail, Context};
use clap::CommandFactory;
use std::path::Path;
use std::process::ExitCode;

/// Run `flinkha man`.
pub fn run(args: ManArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.dir {
        if !args.command.is_empty() {
            bail!("give either a subcommand or --dir, not both (--dir writes every page)");
        }
        for path in write_all(dir)? {
            eprintln!("flinkha: wrote {path}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let page = page(&args.command)?;
    super::write_stdout(&page)
}

/// The command tree as the pages show it: built, so that subcommands carry their display
/// names (`flinkha-check`), and without clap's `help` subcommand.
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The roff source of flinkha(1), or of the page of the subcommand at `path` (`["check"]`
/// for flinkha-check(1), `["kubectl", "check"]` for flinkha-kubectl-check(1)).
pub fn page(path: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut cmd = command();
    for name in path {
        let known: Vec<String> = cmd
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_string())
            .collect();
        match cmd.find_subcommand(name) {
            Some(c) => cmd = c.clone(),
            None if known.is_empty() => bail!(
                "no manual page for `{}`: `{}` has no subcommands",
                path.join(" "),
                cmd.get_display_name().unwrap_or(cmd.get_name())
            ),
            None => bail!(
                "no manual page for `{}`: `{}` has the subcommands {}",
                path.join(" "),
                cmd.get_display_name().unwrap_or(cmd.get_name()),
                known.join(", ")
            ),
        }
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .context("cannot render the manual page")?;
    Ok(out)
}

/// Write every page into `dir` (created if missing); the paths written, in order.
pub fn write_all(dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    write_tree(&command(), dir, &mut written)?;
    Ok(written)
}

fn write_tree(cmd: &clap::Command, dir: &Path, written: &mut Vec<String>) -> anyhow::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(man.get_filename());
    let mut out = Vec::new();
    man.render(&mut out)
        .context("cannot render the manual page")?;
    std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path.display().to_string());
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        write_tree(sub, dir, written)?;
    }
    Ok(())
}
