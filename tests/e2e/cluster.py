"""A real standalone Flink cluster on loopback: ZooKeeper, JobManagers and TaskManagers as child
processes of the harness, each with its own config and log folder, on ports chosen at run time.

Every process is started in the foreground (`jobmanager.sh start-foreground`, ...), so the child's
pid is the JVM's own: `kill -9` hits exactly the JVM, and a JVM can never outlive the harness
(each child gets PR_SET_PDEATHSIG). Waiting is done on log lines and REST answers with generous
timeouts, never on fixed sleeps; a timeout is an InfraError (the run is retried once).
"""

import ctypes
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from errors import InfraError

# Ports the Flink lab (run by another helper on the same machine) uses, never chosen here.
_RESERVED = set(range(2181, 2182)) | set(range(6123, 6124)) | set(range(8080, 8090)) \
    | set(range(50100, 50121)) | set(range(16123, 16200)) | set(range(18081, 18100)) | {18443}

# The JDK 17 module openings Flink's own default configuration passes to every JVM.
_JAVA17_OPTS = " ".join(
    [f"--add-exports={m}=ALL-UNNAMED" for m in (
        "java.base/sun.net.util", "java.rmi/sun.rmi.registry", "jdk.compiler/com.sun.tools.javac.api",
        "jdk.compiler/com.sun.tools.javac.file", "jdk.compiler/com.sun.tools.javac.parser",
        "jdk.compiler/com.sun.tools.javac.tree", "jdk.compiler/com.sun.tools.javac.util",
        "java.security.jgss/sun.security.krb5")]
    + [f"--add-opens={m}=ALL-UNNAMED" for m in (
        "java.base/java.lang", "java.base/java.net", "java.base/java.io", "java.base/java.nio",
        "java.base/sun.nio.ch", "java.base/java.lang.reflect", "java.base/java.text",
        "java.base/java.time", "java.base/java.util", "java.base/java.util.concurrent",
        "java.base/java.util.concurrent.atomic", "java.base/java.util.concurrent.locks")])

SESSION_TIMEOUT_MS = 10_000
CHECKPOINT_INTERVAL = "1s"


def _version_tuple(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL this process when the harness dies, whatever kills it."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Ports:
    """Free loopback ports, picked outside the kernel's ephemeral range (where the JVMs' own
    port-0 sockets land) and outside the lab's defaults; each port is handed out once per run."""

    def __init__(self) -> None:
        self._given: set[int] = set()
        self._rng = random.Random()

    def take(self) -> int:
        for _ in range(2000):
            port = self._rng.randrange(20000, 30000)
            if port in self._given or port in _RESERVED:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self._given.add(port)
            return port
        raise InfraError("no free loopback port found in 20000-29999")


def port_open(port: int) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """One Flink JVM started by the harness, and the lines of its log read so far."""

    def __init__(self, name: str, kind: str, folder: Path, popen: subprocess.Popen,
                 rest_port: int | None) -> None:
        self.name, self.kind, self.folder, self.popen = name, kind, folder, popen
        self.rest_port = rest_port
        self.lines: list[str] = []
        self._offset = 0
        self._partial = b""

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_file(self) -> Path | None:
        logs = sorted(p for p in self.folder.glob("*.log"))
        return logs[0] if logs else None

    def read(self) -> list[str]:
        """All complete lines of the process's log so far (read incrementally)."""
        path = self.log_file()
        if path is None:
            return self.lines
        with open(path, "rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        self._offset += len(chunk)
        data = self._partial + chunk
        *complete, self._partial = data.split(b"\n")
        self.lines.extend(line.decode("utf-8", "replace") for line in complete)
        return self.lines

    def grep(self, pattern: str) -> list[re.Match]:
        rx = re.compile(pattern)
        return [m for m in (rx.search(line) for line in self.read()) if m]


class Cluster:
    """The processes of one scenario run, under one run folder."""

    def __init__(self, home: Path, version: str, run_dir: Path, ha: str, log) -> None:
        self.home, self.version, self.run_dir, self.ha, self.say = home, version, run_dir, ha, log
        self.ports = Ports()
        self.procs: list[Process] = []
        self.logs_dir = run_dir / "logs"
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.zk_port = self.ports.take()
        self.zk_peer_ports = (self.ports.take(), self.ports.take())
        self.rpc_port = self.ports.take()  # shared by every JobManager without HA
        self.cluster_id = f"e2e-{uuid.uuid4().hex[:8]}"
        self.actions: list[str] = []
        self.k8s_api = None  # the Kubernetes API stand-in, with Kubernetes HA

    # ------------------------------------------------------------------ actions log
    def act(self, what: str) -> float:
        """Records an action with its wall-clock instant (returned, for timeline assertions)."""
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)) + f",{int(now * 1000) % 1000:03d}"
        line = f"{stamp} {what}"
        self.actions.append(line)
        with open(self.run_dir / "actions.log", "a") as f:
            f.write(line + "\n")
        self.say(f"  {line}")
        return now

    # ------------------------------------------------------------------ configuration
    def _flink_config(self, rest_port: int) -> dict:
        major, minor = _version_tuple(self.version)
        new_keys = (major, minor) >= (1, 17)
        tmp = self.run_dir / "tmp"
        c = {
            ("env.java.opts.all" if new_keys else "env.java.opts"): _JAVA17_OPTS + " -Duser.timezone=UTC",
            "jobmanager.rpc.address": "localhost",
            "jobmanager.bind-host": "localhost",
            # Without HA every JobManager must be found at the same port; Kubernetes HA uses
            # this port too (ZooKeeper HA uses the random high-availability.jobmanager.port).
            "jobmanager.rpc.port": self.ports.take() if self.ha == "kubernetes" else self.rpc_port,
            "jobmanager.memory.process.size": "1024m",
            "jobmanager.execution.failover-strategy": "region",
            "taskmanager.host": "localhost",
            "taskmanager.bind-host": "localhost",
            "taskmanager.numberOfTaskSlots": 2,
            "taskmanager.memory.process.size": "1536m",
            "parallelism.default": 2,
            "rest.address": "localhost",
            "rest.bind-address": "localhost",
            "rest.port": rest_port,
            "blob.server.port": 0,
            "web.tmpdir": tmp,
            "io.tmp.dirs": tmp,
            "blob.storage.directory": tmp,
            ("high-availability.type" if new_keys else "high-availability"): self.ha,
            "high-availability.storageDir": f"file://{self.run_dir / 'ha'}",
            "execution.checkpointing.interval": CHECKPOINT_INTERVAL,
            ("restart-strategy.type" if new_keys else "restart-strategy"): "fixed-delay",
            "restart-strategy.fixed-delay.attempts": 2147483647,
            "restart-strategy.fixed-delay.delay": "2s",
            "heartbeat.interval": 2000,
            "heartbeat.timeout": 20000,
        }
        if self.ha == "zookeeper":
            c["high-availability.zookeeper.quorum"] = f"localhost:{self.zk_port}"
            c["high-availability.zookeeper.path.root"] = "/flink"
            c["high-availability.cluster-id"] = f"/{self.cluster_id}"
            c["high-availability.zookeeper.client.session-timeout"] = SESSION_TIMEOUT_MS
            c["high-availability.zookeeper.client.connection-timeout"] = 5000
        elif self.ha == "kubernetes":
            c["kubernetes.cluster-id"] = self.cluster_id
            c["kubernetes.namespace"] = "default"
            c["kubernetes.config.file"] = self.run_dir / "kubeconfig"
        if major >= 2:
            c["execution.checkpointing.dir"] = f"file://{self.run_dir / 'checkpoints'}"
            c["execution.checkpointing.savepoint-dir"] = f"file://{self.run_dir / 'savepoints'}"
            c["execution.checkpointing.num-retained"] = 3
        else:
            c["state.checkpoints.dir"] = f"file://{self.run_dir / 'checkpoints'}"
            c["state.savepoints.dir"] = f"file://{self.run_dir / 'savepoints'}"
            c["state.checkpoints.num-retained"] = 3
        return c

    def _write_conf(self, name: str, rest_port: int) -> Path:
        conf = self.run_dir / "conf" / name
        conf.mkdir(parents=True, exist_ok=True)
        for f in (self.home / "conf").iterdir():
            if f.name.startswith(("log4j", "logback")):
                (conf / f.name).write_bytes(f.read_bytes())
        fname = "config.yaml" if (self.home / "conf" / "config.yaml").exists() else "flink-conf.yaml"
        text = "".join(f"{k}: {v}\n" for k, v in self._flink_config(rest_port).items())
        (conf / fname).write_text("# written by flinkha's e2e harness (tests/e2e/cluster.py)\n" + text)
        (conf / "zoo.cfg").write_text(
            f"tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir={self.run_dir / 'zk-data'}\n"
            f"clientPort={self.zk_port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
            f"server.1=localhost:{self.zk_peer_ports[0]}:{self.zk_peer_ports[1]}\n")
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        return conf

    # ------------------------------------------------------------------ processes
    def _spawn(self, name: str, kind: str, argv: list[str], rest_port: int | None,
               jvm_args: str = "", home: Path | None = None) -> Process:
        conf = self._write_conf(name, rest_port or 0)
        folder = self.logs_dir / name
        folder.mkdir(parents=True, exist_ok=False)
        env = dict(os.environ)
        env.update({
            "FLINK_HOME": str(home or self.home), "FLINK_CONF_DIR": str(conf), "FLINK_LOG_DIR": str(folder),
            "FLINK_PID_DIR": str(self.run_dir / "pids" / name), "STD_REDIRECT_TO_FILE": "true",
            "USER": os.environ.get("USER") or pwd.getpwuid(os.getuid()).pw_name, "JVM_ARGS": jvm_args,
        })
        env.pop("FLINK_IDENT_STRING", None)
        with open(folder / "launcher.console", "wb") as console:
            popen = subprocess.Popen(argv, env=env, stdout=console, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.run_dir,
                                     preexec_fn=_die_with_parent)
        proc = Process(name, kind, folder, popen, rest_port)
        self.procs.append(proc)
        return proc

    def start_zookeeper(self, name: str) -> Process:
        """Flink's bundled ZooKeeper (FlinkZooKeeperQuorumPeer), as `bin/zookeeper.sh` runs it."""
        (self.run_dir / "zk-data").mkdir(exist_ok=True)
        conf = self.run_dir / "conf" / name / "zoo.cfg"
        proc = self._spawn(name, "zookeeper",
                           [str(self.home / "bin" / "flink-console.sh"), "zookeeper",
                            "--zkConfigFile", str(conf), "--peerId", "1"], None,
                           jvm_args="-Xms128m -Xmx256m -Dzookeeper.jmx.log4j.disable=true")
        self.act(f"started ZooKeeper {name} pid={proc.pid} port={self.zk_port}")
        self.wait(lambda: port_open(self.zk_port), 90, f"ZooKeeper {name} accepting on port {self.zk_port}", proc)
        return proc

    def start_k8s_api(self) -> None:
        """The Kubernetes API stand-in (tests/e2e/k8s_api.py) that Kubernetes HA talks to."""
        from k8s_api import ApiServer
        port = self.ports.take()
        try:
            self.k8s_api = ApiServer(port).start()
        except OSError as e:
            raise InfraError(f"Kubernetes API stand-in could not listen on {port}: {e}") from e
        self.k8s_api.kubeconfig(self.run_dir / "kubeconfig")
        self.act(f"started the Kubernetes API stand-in on 127.0.0.1:{port}")

    def start_jobmanager(self, name: str) -> Process:
        port = self.ports.take()
        proc = self._spawn(name, "jobmanager",
                           [str(self.home / "bin" / "jobmanager.sh"), "start-foreground"], port)
        self.act(f"started JobManager {name} pid={proc.pid} rest.port={port}")
        self.wait_log(proc, r"Rest endpoint listening at", 180, f"REST endpoint of {name}")
        return proc

    def application_home(self, jar: Path) -> Path:
        """A per-run FLINK_HOME whose usrlib/ holds the job, as Flink's docs and image set up
        application mode; hard links of the cached distribution (copies across file systems)."""
        home = self.run_dir / "flink"
        if not home.exists():
            def link(src, dst):
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copy2(src, dst)
            shutil.copytree(self.home, home, symlinks=True, copy_function=link,
                            ignore=shutil.ignore_patterns("log"))
            (home / "usrlib").mkdir()
            shutil.copy2(jar, home / "usrlib" / jar.name)
        return home

    def start_application_jobmanager(self, name: str, jar: Path, entry: str, args: list[str]) -> Process:
        """A JobManager in application mode (`standalone-job.sh`): it runs the job's main() itself."""
        home = self.application_home(jar)
        port = self.ports.take()
        proc = self._spawn(name, "jobmanager",
                           [str(home / "bin" / "standalone-job.sh"), "start-foreground",
                            "--job-classname", entry, *args], port, home=home)
        self.act(f"started application JobManager {name} pid={proc.pid} rest.port={port} ({entry})")
        self.wait_log(proc, r"Rest endpoint listening at", 180, f"REST endpoint of {name}")
        return proc

    def start_taskmanager(self, name: str) -> Process:
        proc = self._spawn(name, "taskmanager",
                           [str(self.home / "bin" / "taskmanager.sh"), "start-foreground"], None)
        self.act(f"started TaskManager {name} pid={proc.pid}")
        self.wait_log(proc, r"Successful registration at resource manager", 180,
                      f"TaskManager {name} registered at the resource manager")
        return proc

    def kill9(self, proc: Process) -> float:
        at = self.act(f"kill -9 {proc.name} pid={proc.pid}")
        proc.popen.send_signal(signal.SIGKILL)
        proc.popen.wait(timeout=60)
        return at

    def sigterm(self, proc: Process, timeout: float = 60) -> float:
        at = self.act(f"SIGTERM {proc.name} pid={proc.pid}")
        proc.popen.send_signal(signal.SIGTERM)
        try:
            proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.act(f"{proc.name} pid={proc.pid} still alive {timeout:.0f} s after SIGTERM: kill -9")
            proc.popen.kill()
            proc.popen.wait(timeout=60)
        return at

    def stop_all(self) -> None:
        """Graceful stop of everything still alive: Flink processes newest first, ZooKeeper last."""
        alive = [p for p in self.procs if p.alive()]
        order = [p for p in reversed(alive) if p.kind != "zookeeper"] + \
                [p for p in alive if p.kind == "zookeeper"]
        for p in order:
            self.sigterm(p)
        self._stop_api()

    def _stop_api(self) -> None:
        if self.k8s_api is not None:
            self.k8s_api.stop()
            self.k8s_api = None

    def kill_all(self) -> None:
        """Last resort on any exit path: nothing the harness started survives it."""
        for p in self.procs:
            if p.alive():
                p.popen.kill()
        for p in self.procs:
            try:
                p.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self._stop_api()

    # ------------------------------------------------------------------ waiting
    def wait(self, cond, timeout: float, what: str, proc: Process | None = None):
        """Polls `cond` until it returns something truthy; InfraError after `timeout` seconds, or
        as soon as `proc` (the process whose progress is awaited) has died."""
        deadline = time.monotonic() + timeout
        while True:
            got = cond()
            if got:
                return got
            if proc is not None and not proc.alive():
                raise InfraError(f"{proc.name} exited (code {proc.popen.returncode}) while waiting for {what}")
            if time.monotonic() > deadline:
                raise InfraError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.5)

    def wait_log(self, proc: Process, pattern: str, timeout: float, what: str,
                 count: int = 1) -> list[re.Match]:
        return self.wait(lambda: (m := proc.grep(pattern)) and len(m) >= count and m,
                         timeout, what, proc)

    def leader_among(self, jms: list[Process], timeout: float, after: dict | None = None) -> Process:
        """The JobManager that logged a (new) dispatcher leadership grant: one more grant line than
        `after` (name -> grant count before) says it had."""
        after = after or {}
        rx = r"DispatcherRestEndpoint.*was granted leadership"

        def granted():
            for jm in jms:
                if jm.alive() and len(jm.grep(rx)) > after.get(jm.name, 0):
                    return jm
            return None
        jm = self.wait(granted, timeout, f"a leader among {', '.join(j.name for j in jms)}")
        self.act(f"{jm.name} was granted leadership")
        return jm

    @staticmethod
    def grants(jms: list[Process]) -> dict:
        return {jm.name: len(jm.grep(r"DispatcherRestEndpoint.*was granted leadership")) for jm in jms}

    # ------------------------------------------------------------------ checkpoints (from the JM log)
    @staticmethod
    def completed_checkpoints(jm: Process, job: str) -> list[int]:
        return [int(m.group(1)) for m in jm.grep(rf"Completed checkpoint (\d+) for job {job}")]

    def wait_checkpoints(self, jm: Process, job: str, n: int, timeout: float = 180) -> int:
        """Waits until `jm` has logged `n` completed checkpoints of `job`; returns the last id."""
        ids = self.wait(lambda: (c := self.completed_checkpoints(jm, job)) and len(c) >= n and c,
                        timeout, f"{n} completed checkpoints of job {job} on {jm.name}", jm)
        self.act(f"{jm.name}: {len(ids)} completed checkpoints of job {job}, latest {ids[-1]}")
        return ids[-1]

    # ------------------------------------------------------------------ REST
    def rest(self, jm: Process, method: str, path: str, body: bytes | None = None,
             content_type: str = "application/json", timeout: float = 60):
        req = urllib.request.Request(f"http://127.0.0.1:{jm.rest_port}{path}", data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")[:500]
            raise InfraError(f"REST {method} {path} on {jm.name}: HTTP {e.code}: {detail}") from e
        except (urllib.error.URLError, OSError) as e:
            raise InfraError(f"REST {method} {path} on {jm.name}: {e}") from e
        return json.loads(raw) if raw else None

    def rest_or_none(self, jm: Process, path: str):
        try:
            return self.rest(jm, "GET", path, timeout=15)
        except InfraError:
            return None

    def submit(self, jm: Process, jar: Path, entry: str, args: list[str]) -> str:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"jarfile\"; "
                f"filename=\"{jar.name}\"\r\nContent-Type: application/x-java-archive\r\n\r\n").encode() \
            + jar.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        up = self.rest(jm, "POST", "/jars/upload", body, f"multipart/form-data; boundary={boundary}")
        jar_id = Path(up["filename"]).name
        run = self.rest(jm, "POST", f"/jars/{jar_id}/run",
                        json.dumps({"entryClass": entry, "programArgsList": args}).encode(), timeout=180)
        job = run["jobid"]
        self.act(f"submitted job {job} through {jm.name}")
        return job

    def job_state(self, jm: Process, job: str) -> str | None:
        got = self.rest_or_none(jm, f"/jobs/{job}")
        return got.get("state") if got else None

    def wait_job_state(self, jm: Process, job: str, states: set, timeout: float = 180) -> str:
        state = self.wait(lambda: (s := self.job_state(jm, job)) in states and s, timeout,
                          f"job {job} in state {'/'.join(sorted(states))} on {jm.name}", jm)
        self.act(f"{jm.name}: job {job} is {state}")
        return state

    def restored_checkpoint(self, jm: Process, job: str) -> int | None:
        """The checkpoint id Flink's REST API says the job was restored from (None: not restored)."""
        got = self.rest_or_none(jm, f"/jobs/{job}/checkpoints")
        restored = ((got or {}).get("latest") or {}).get("restored")
        return int(restored["id"]) if restored else None

    def cancel(self, jm: Process, job: str) -> None:
        self.rest(jm, "PATCH", f"/jobs/{job}?mode=cancel")
        self.act(f"cancel job {job} through {jm.name}")
        self.wait_job_state(jm, job, {"CANCELED"}, 120)
        if self.ha != "NONE":
            try:
                self.wait_log(jm, rf"Finished cleaning up the high availability data for job {job}|"
                                  rf"Removed job graph {job}", 60, f"HA cleanup of job {job}")
            except InfraError as e:  # flinkha judges the cleanup; the harness only waits for it
                self.act(f"note: {e}")
