"""A real Flink distribution and the test job, built once and cached.

Flink's binary release is not on any package index reachable here, but PyPI carries it in two
parts: `apache-flink-libraries` (lib/, opt/, plugins/, bin/bash-java-utils.jar) and `apache-flink`
(the shell scripts in bin/ and the default conf/). Both are fetched with `pip download --no-deps`
and assembled into a FLINK_HOME. Flink <= 1.12 has no `apache-flink-libraries`: its `apache-flink`
sdist carries the whole distribution under deps/.

Cache layout (default `$HOME/.cache/flinkha-e2e`, or `$FLINKHA_E2E_CACHE`):
    flink-<version>/            assembled FLINK_HOME; `.complete` is written last
    jobs/<name>-<version>-<hash>.jar   the test job, keyed by its source's hash
A half-built entry (no `.complete`) is rebuilt, so an interrupted download never poisons the cache.
"""

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

from errors import InfraError

JOB_SOURCE = Path(__file__).resolve().parent / "job" / "FlinkhaE2eJob.java"
JOB_CLASS = "flinkha.e2e.FlinkhaE2eJob"


def cache_root() -> Path:
    """The cache directory, outside any clone so that CI runs share it."""
    env = os.environ.get("FLINKHA_E2E_CACHE")
    root = Path(env) if env else Path.home() / ".cache" / "flinkha-e2e"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _pip_download(spec: str, dest: Path) -> None:
    cmd = ["python3", "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--quiet", spec, "-d", str(dest)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise InfraError(f"pip download {spec} failed (exit {done.returncode}): "
                         f"{done.stderr.strip()[-800:]}")


def _unpack(archive: Path, into: Path) -> Path:
    """Unpacks a wheel or sdist and returns the folder that holds bin/, conf/, lib/ ..."""
    into.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
        return into / "pyflink"
    with tarfile.open(archive) as t:
        t.extractall(into, filter="data")
    tops = [p for p in into.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise InfraError(f"unexpected layout of {archive.name}: {[p.name for p in tops]}")
    return tops[0] / "deps"


def _find(dl: Path, prefix: str, version: str) -> Path | None:
    for p in sorted(dl.iterdir()):
        name = p.name.replace("_", "-")
        if name.startswith(f"{prefix}-{version}-") or name.startswith(f"{prefix}-{version}."):
            return p
    return None


def flink_home(version: str, log=print) -> Path:
    """FLINK_HOME of `version`, downloaded and assembled on first use."""
    home = cache_root() / f"flink-{version}"
    if (home / ".complete").exists():
        return home
    log(f"e2e: assembling Flink {version} into {home} (first use; later runs reuse it)")
    shutil.rmtree(home, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=cache_root(), prefix=f".build-{version}-") as tmp:
        tmp = Path(tmp)
        dl = tmp / "dl"
        dl.mkdir()
        _pip_download(f"apache-flink=={version}", dl)
        try:
            _pip_download(f"apache-flink-libraries=={version}", dl)
        except InfraError:
            if not version.startswith(("1.9.", "1.10.", "1.11.", "1.12.")):
                raise
        py = _find(dl, "apache-flink", version)
        libs = _find(dl, "apache-flink-libraries", version)
        if py is None:
            raise InfraError(f"apache-flink {version} was downloaded but not found in {dl}")
        scripts = _unpack(py, tmp / "py")
        payload = _unpack(libs, tmp / "libs") if libs else scripts
        out = tmp / "home"
        out.mkdir()
        shutil.copytree(scripts / "bin", out / "bin")
        shutil.copytree(scripts / "conf", out / "conf")
        for jar in (payload / "bin").glob("*.jar"):
            shutil.copy2(jar, out / "bin" / jar.name)
        for part in ("lib", "opt", "plugins"):
            src = payload / part
            if src.is_dir():
                shutil.copytree(src, out / part)
        if not list((out / "lib").glob("flink-dist*.jar")):
            raise InfraError(f"no lib/flink-dist*.jar in the Flink {version} packages")
        for script in (out / "bin").iterdir():
            script.chmod(0o755)
        (out / "log").mkdir()
        (out / ".complete").write_text(f"{version}\n")
        os.replace(out, home)
    return home


def job_jar(version: str, home: Path, log=print) -> Path:
    """The test job compiled against `version`, cached by the hash of its source."""
    src = JOB_SOURCE.read_bytes()
    digest = hashlib.sha256(src + version.encode()).hexdigest()[:16]
    jobs = cache_root() / "jobs"
    jobs.mkdir(exist_ok=True)
    jar = jobs / f"flinkha-e2e-job-{version}-{digest}.jar"
    if jar.exists():
        return jar
    log(f"e2e: compiling {JOB_SOURCE.name} against Flink {version}")
    with tempfile.TemporaryDirectory(dir=jobs, prefix=".build-") as tmp:
        classes = Path(tmp) / "classes"
        classes.mkdir()
        javac = subprocess.run(
            ["javac", "--release", "11", "-nowarn", "-cp", f"{home}/lib/*", "-d", str(classes),
             str(JOB_SOURCE)], capture_output=True, text=True, timeout=600)
        if javac.returncode != 0:
            raise InfraError(f"javac failed against Flink {version}:\n{javac.stderr[-3000:]}")
        part = Path(tmp) / "job.jar"
        pack = subprocess.run(["jar", "cfe", str(part), JOB_CLASS, "-C", str(classes), "."],
                              capture_output=True, text=True, timeout=300)
        if pack.returncode != 0:
            raise InfraError(f"jar failed: {pack.stderr[-2000:]}")
        os.replace(part, jar)
    return jar
