//! `flinkha kubectl check|timeline CLUSTER_ID`, which is also the kubectl plugin
//! (`kubectl flinkha check -n NS CLUSTER_ID`, when flinkha runs as `kubectl-flinkha`): the
//! cluster's JobManager pods are found and read through kubectl ([`flinkha::kubectl`]), then
//! checked like files. With `--follow`, a thread keeps polling the pods and feeds every new
//! log into the running pipeline until Ctrl-C.

use super::common::{self, Source};
use super::{check_cmd, timeline_cmd, Cli, Command, InputArgs, KubeArgs, KubectlArgs};
use super::{KubectlCommand, KUBECTL_AFTER_HELP};
use anyhow::{bail, Context};
use clap::{Args, FromArgMatches};
use flinkha::kubectl::follow::{self, Report, Session};
use flinkha::kubectl::plan::LogStream;
use flinkha::kubectl::{default_selector, Kubectl};
use flinkha::pipeline::Inputs;
use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

/// Parse the arguments of the kubectl plugin: `kubectl flinkha SUBCOMMAND …` runs
/// `kubectl-flinkha SUBCOMMAND …`, which reads as `flinkha kubectl SUBCOMMAND …`.
pub fn parse_plugin(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let cmd = clap::Command::new("kubectl-flinkha")
        .bin_name("kubectl flinkha")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true);
    // After the derive's own settings, which would take the struct's doc comment.
    let cmd = KubectlArgs::augment_args(cmd)
        .about("Prove, or disprove, that a Flink cluster's high availability behaved correctly, from its JobManager pods' logs")
        .long_about(None)
        .after_long_help(KUBECTL_AFTER_HELP);
    let matches = cmd.try_get_matches_from(args)?;
    let args = KubectlArgs::from_arg_matches(&matches)?;
    Ok(Cli {
        command: Command::Kubectl(args),
    })
}

/// Run `flinkha kubectl …`.
pub fn run(args: KubectlArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        KubectlCommand::Check(a) => {
            no_files(&a.check.input)?;
            let follow = a.check.follow;
            let (source, follower) = open(&a.kube, follow)?;
            let result = check_cmd::run_from(a.check, source);
            if let Some(f) = follower {
                f.finish();
            }
            result
        }
        KubectlCommand::Timeline(a) => {
            no_files(&a.timeline.input)?;
            let (source, _) = open(&a.kube, false)?;
            timeline_cmd::run_from(a.timeline, source)
        }
    }
}

/// kubectl mode reads pods: file arguments are a mistake (a second CLUSTER_ID, say).
fn no_files(input: &InputArgs) -> anyhow::Result<()> {
    if let Some(extra) = input.inputs.first() {
        bail!(
            "unexpected argument `{}`: `kubectl` reads the JobManager pods of one CLUSTER_ID (or of -l SELECTOR), not files",
            extra.display()
        );
    }
    Ok(())
}

/// The polling thread of `--follow`, stopped by Ctrl-C or when the check ends.
struct Follower {
    done: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Follower {
    /// Stop polling (if Ctrl-C has not already) and wait for every kubectl to be stopped.
    fn finish(self) {
        self.done.store(true, Ordering::SeqCst);
        let _ = self.thread.join();
    }
}

/// Find the pods, start reading their logs, and (following) start the polling thread.
fn open(kube: &KubeArgs, follow: bool) -> anyhow::Result<(Source, Option<Follower>)> {
    let selector = match (&kube.selector, &kube.cluster_id) {
        (Some(_), Some(id)) => bail!(
            "give CLUSTER_ID or -l SELECTOR, not both (`{id}` would select app={id},component=jobmanager,…)"
        ),
        (Some(s), None) => s.clone(),
        (None, Some(id)) => default_selector(id),
        (None, None) => bail!(
            "which cluster? Give its CLUSTER_ID (kubernetes.cluster-id, or the FlinkDeployment's name) or a label selector with -l"
        ),
    };
    let interval = flinkha::check::parse_duration(&kube.poll_interval)
        .map_err(|e| anyhow::anyhow!("--poll-interval: {e}"))?
        .to_std()
        .ok()
        .filter(|d| !d.is_zero())
        .context("--poll-interval must be longer than 0")?;
    let kubectl = Kubectl::new(
        kube.kubectl.clone(),
        kube.context.as_deref(),
        kube.namespace.as_deref(),
        kube.kubeconfig.as_ref(),
    );
    let where_ = place(kube);
    let mut session = Session::new(kubectl, selector.clone(), kube.containers.clone());
    if follow {
        common::on_ctrl_c();
    }
    let poll = session.poll(follow)?;
    if poll.pods == 0 {
        bail!(
            "no pods match -l '{selector}'{where_}; is the cluster id right? (`{}` lists them)",
            session.kubectl().describe_get_pods(&selector)
        );
    }
    for n in &poll.plan.notices {
        eprintln!("flinkha: warning: {n}");
    }
    if !poll.plan.missing.is_empty() {
        let all: Vec<String> = poll.plan.missing.iter().map(ToString::to_string).collect();
        bail!("{}", all.join("; "));
    }
    if poll.plan.streams.is_empty() && !kube.containers.is_empty() {
        bail!(
            "none of the {} pods matching -l '{selector}'{where_} has a container named {}",
            poll.pods,
            kube.containers.join(" or ")
        );
    }
    eprintln!(
        "flinkha: reading {} of {} pod(s){where_}: {}",
        plural(poll.plan.streams.len(), "log"),
        poll.pods,
        poll.plan
            .streams
            .iter()
            .map(describe)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !follow {
        return Ok((
            Source::Streams(Inputs {
                opened: poll.inputs,
                more: None,
            }),
            None,
        ));
    }
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let stop = {
        let done = done.clone();
        move || common::interrupted() || done.load(Ordering::SeqCst)
    };
    let thread = std::thread::Builder::new()
        .name("kubectl-follow".into())
        .spawn(move || {
            follow::run(session, tx, interval, &stop, &mut |r| match r {
                Report::Started(s) => eprintln!("flinkha: following {}", describe(&s)),
                Report::Notice(n) => eprintln!("flinkha: warning: {n}"),
                Report::StreamFailed(m) => eprintln!("flinkha: warning: {m}"),
                Report::PollFailed(m) => eprintln!("flinkha: warning: {m} (trying again)"),
            })
        })
        .context("cannot start the thread that follows the pods")?;
    Ok((
        Source::Streams(Inputs {
            opened: poll.inputs,
            more: Some(rx),
        }),
        Some(Follower { done, thread }),
    ))
}

/// ` in namespace NS (context C)`, for messages.
fn place(kube: &KubeArgs) -> String {
    let mut s = String::new();
    if let Some(n) = &kube.namespace {
        s.push_str(&format!(" in namespace {n}"));
    }
    if let Some(c) = &kube.context {
        s.push_str(&format!(" (context {c})"));
    }
    s
}

/// `jm-0#1` or `jm-0#0 (previous)`.
fn describe(s: &LogStream) -> String {
    if s.previous {
        format!("{} (previous)", s.name)
    } else {
        s.name.clone()
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
