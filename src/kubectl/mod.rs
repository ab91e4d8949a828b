//! `kubectl flinkha`: reading a Flink cluster's JobManager logs straight from Kubernetes by
//! driving the real `kubectl` as a subprocess (its context, namespace and kubeconfig flags
//! passed through, so its authentication and configuration apply unchanged).
//!
//! * The JobManager pods are found by label ([`default_selector`]): `app=<cluster-id>,
//!   component=jobmanager` with `type=flink-native-kubernetes` (Flink's native Kubernetes
//!   integration, `org.apache.flink.kubernetes.utils.Constants` in apache/flink; also what the
//!   Flink Kubernetes Operator's default `native` mode creates) or
//!   `type=flink-standalone-kubernetes` (the operator's `standalone` mode,
//!   `StandaloneKubernetesUtils` in apache/flink-kubernetes-operator).
//! * Every container's current log and, after a restart, its previous one are read with
//!   `kubectl logs --timestamps` ([`plan`]), each as an input of its own (a child process's
//!   output: [`crate::input::child`]), named `POD#N` after the container instance.
//! * Following ([`follow`]), pods are polled; a new pod or a restarted container is read from
//!   its first line with `kubectl logs -f` and joins the running pipeline.

pub mod follow;
pub mod plan;
pub mod pods;

use crate::input::child::{self, ChildHandle, FailureReport};
use crate::input::{os_message, Input};
use plan::LogStream;
use pods::PodList;
use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::Command;

/// The `type` label values of Flink's JobManager pods: native Kubernetes (Flink itself, and
/// the operator's native mode), and the operator's standalone mode.
pub const FLINK_POD_TYPES: [&str; 2] = ["flink-native-kubernetes", "flink-standalone-kubernetes"];

/// The label selector of cluster `cluster_id`'s JobManager pods.
pub fn default_selector(cluster_id: &str) -> String {
    format!(
        "app={cluster_id},component=jobmanager,type in ({})",
        FLINK_POD_TYPES.join(",")
    )
}

/// The most bytes of `kubectl get pods -o json` output read (a few hundred pods' worth).
const MAX_POD_LIST: usize = 64 << 20;

/// Why kubectl could not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum KubectlError {
    /// The kubectl program is not there.
    #[error("cannot run `{program}`: it is not on PATH (install kubectl, or name it with --kubectl PATH)")]
    NotFound {
        /// The program as given.
        program: String,
    },
    /// kubectl could not be started for another reason.
    #[error("cannot run `{program}`: {}", os_message(error))]
    Spawn {
        /// The program as given.
        program: String,
        /// Why.
        error: io::Error,
    },
    /// kubectl ran and failed; its own message (e.g. `Error from server (Forbidden): …`).
    #[error("`{command}` failed: {message}")]
    Failed {
        /// The command line.
        command: String,
        /// kubectl's standard error (or the exit status when it said nothing).
        message: String,
    },
    /// kubectl's output was not the JSON pod list asked for.
    #[error("`{command}` did not print a pod list: {error}")]
    BadOutput {
        /// The command line.
        command: String,
        /// The parse error.
        error: String,
    },
}

/// How to run kubectl: the program and the flags every call gets.
#[derive(Clone, Debug)]
pub struct Kubectl {
    program: OsString,
    globals: Vec<OsString>,
}

impl Kubectl {
    /// kubectl at `program` (a name looked up on PATH, or a path), with kubectl's own
    /// `--context`, `--namespace` and `--kubeconfig` when given.
    pub fn new(
        program: impl Into<OsString>,
        context: Option<&str>,
        namespace: Option<&str>,
        kubeconfig: Option<&PathBuf>,
    ) -> Kubectl {
        let mut globals: Vec<OsString> = Vec::new();
        if let Some(k) = kubeconfig {
            globals.push("--kubeconfig".into());
            globals.push(k.clone().into_os_string());
        }
        if let Some(c) = context {
            globals.push("--context".into());
            globals.push(c.into());
        }
        if let Some(n) = namespace {
            globals.push("--namespace".into());
            globals.push(n.into());
        }
        Kubectl {
            program: program.into(),
            globals,
        }
    }

    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.globals);
        cmd.args(args.into_iter().map(Into::into));
        cmd
    }

    fn spawn_error(&self, error: io::Error) -> KubectlError {
        let program = self.program.to_string_lossy().into_owned();
        if error.kind() == io::ErrorKind::NotFound {
            KubectlError::NotFound { program }
        } else {
            KubectlError::Spawn { program, error }
        }
    }

    /// `kubectl get pods -l SELECTOR -o json`.
    pub fn get_pods(&self, selector: &str) -> Result<PodList, KubectlError> {
        let mut cmd = self.command(["get", "pods", "-l", selector, "-o", "json"]);
        let command = child::describe(&cmd);
        let out = cmd
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| self.spawn_error(e))?;
        if !out.status.success() {
            let message = message(&String::from_utf8_lossy(&out.stderr))
                .unwrap_or_else(|| format!("exit status {}", out.status));
            return Err(KubectlError::Failed { command, message });
        }
        let json = out.stdout.get(..MAX_POD_LIST).unwrap_or(&out.stdout);
        serde_json::from_slice(json).map_err(|e| KubectlError::BadOutput {
            command,
            error: e.to_string(),
        })
    }

    /// `kubectl logs --timestamps [--previous] [-f] -c CONTAINER POD` as an input named after
    /// the stream, and the handle that stops it. With `lenient`, kubectl failing ends the
    /// input and goes to that report instead of failing the run.
    pub fn logs(
        &self,
        s: &LogStream,
        lenient: Option<&FailureReport>,
    ) -> Result<(Input, ChildHandle), KubectlError> {
        let mut args: Vec<&str> = vec!["logs", "--timestamps"];
        if s.previous {
            args.push("--previous");
        }
        if s.follow {
            args.push("-f");
        }
        args.extend(["-c", &s.container, &s.pod]);
        let cmd = self.command(args);
        match lenient {
            Some(r) => child::spawn_lenient(&s.name, cmd, r.clone()),
            None => child::spawn(&s.name, cmd),
        }
        .map_err(|e| self.spawn_error(e.error))
    }

    /// The command line of `kubectl get pods` for `selector`, for messages.
    pub fn describe_get_pods(&self, selector: &str) -> String {
        child::describe(&self.command(["get", "pods", "-l", selector]))
    }
}

/// kubectl's message for people from its standard error: its own lines, without the klog
/// diagnostics (`E1201 11:13:57.437981  403 memcache.go:265] …`) it repeats before them,
/// unless those are all there is; lines joined with ` / `.
fn message(stderr: &str) -> Option<String> {
    let klog = |l: &str| {
        let b = l.as_bytes();
        matches!(b.first(), Some(b'I' | b'W' | b'E' | b'F'))
            && b.get(1..5)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && b.get(5) == Some(&b' ')
    };
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let own: Vec<&str> = lines.iter().copied().filter(|l| !klog(l)).collect();
    let chosen = if own.is_empty() { lines } else { own };
    (!chosen.is_empty()).then(|| chosen.join(" / "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_drop_klog_noise() {
        let stderr = "E1201 11:13:57.437981     403 memcache.go:265] \"Unhandled Error\" err=\"couldn't get current server API group list\"\n\
                      E1201 11:13:57.452346     403 memcache.go:265] \"Unhandled Error\"\n\
                      The connection to the server localhost:8080 was refused - did you specify the right host or port?\n";
        assert_eq!(
            message(stderr).unwrap(),
            "The connection to the server localhost:8080 was refused - did you specify the right host or port?"
        );
        assert_eq!(
            message("E1201 11:13:57.1 x.go:1] only\n").unwrap(),
            "E1201 11:13:57.1 x.go:1] only"
        );
        assert_eq!(message("  \n"), None);
    }

    #[test]
    fn selector_matches_native_and_operator_pods() {
        assert_eq!(
            default_selector("ha-lab"),
            "app=ha-lab,component=jobmanager,type in (flink-native-kubernetes,flink-standalone-kubernetes)"
        );
    }

    #[test]
    fn global_flags_come_first() {
        let k = Kubectl::new(
            "kubectl",
            Some("prod"),
            Some("flink"),
            Some(&PathBuf::from("/k/config")),
        );
        assert_eq!(
            k.describe_get_pods("app=x"),
            "kubectl --kubeconfig /k/config --context prod --namespace flink get pods -l app=x"
        );
    }

    #[test]
    fn a_missing_kubectl_says_so() {
        let k = Kubectl::new("/nonexistent/kubectl", None, None, None);
        let e = k.get_pods("app=x").unwrap_err();
        assert!(matches!(e, KubectlError::NotFound { .. }), "{e}");
        assert!(e.to_string().contains("--kubectl PATH"), "{e}");
    }
}
