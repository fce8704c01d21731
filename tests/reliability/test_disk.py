"""Story: a read-only or full output directory is found before anything loads, and a write that
fails during training ends the run cleanly: exit 2 naming the path, the run marked failed, no
partial or zero-byte file left behind.

Tests run as root here, where chmod does not stop a write: the read-only and full directories are
real mounts (a read-only tmpfs, a 1 MiB tmpfs) inside an unprivileged user namespace
(``unshare -rm``), skipped with the reason where that is not allowed. A write failing mid-run is
a real one too: the child's file-size limit (RLIMIT_FSIZE) makes its first checkpoint's write fail.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medtune import runs
from medtune.disk import DiskError, check_output_dir, estimate_run_bytes

REPO = Path(__file__).resolve().parents[2]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTUNE")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _namespaces_work() -> str | None:
    """None when `unshare -rm` can mount a tmpfs here, else why not."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"no unprivileged mount namespace here: {probe.stderr.strip()[:200]}"


NO_NAMESPACE = _namespaces_work()
needs_mounts = pytest.mark.skipif(NO_NAMESPACE is not None, reason=f"{NO_NAMESPACE} (chmod cannot stop root)")


def _train_on_mount(project: Path, mount_options: str, *train_args: str) -> subprocess.CompletedProcess:
    """`medtune train` with training.output_dir (runs/) on a fresh tmpfs mounted with ``mount_options``;
    the mount's contents are listed afterwards (they vanish with the namespace)."""
    (project / "runs").mkdir(exist_ok=True)
    script = (
        f'mount -t tmpfs -o {mount_options} tmpfs runs || exit 99; "$@"; rc=$?; '
        'echo "--- left in runs:"; find runs -mindepth 1; exit $rc'
    )
    cmd = ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "-m", "medtune", "train",
           "--config", str(project / "config.yaml"), *train_args]
    return subprocess.run(cmd, cwd=project, env=_env(), capture_output=True, text=True, timeout=300)


@needs_mounts
def test_a_read_only_output_dir_is_refused_before_the_model_loads(tiny_project: Path):
    proc = _train_on_mount(tiny_project, "ro,size=4m")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"cannot write in {tiny_project / 'runs'}" in proc.stderr and "Read-only file system" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "model:" not in proc.stdout and "data:" not in proc.stdout, "nothing was loaded"
    assert proc.stdout.split("--- left in runs:")[1].strip() == ""


@needs_mounts
def test_a_disk_without_room_for_the_run_is_refused_before_the_model_loads(tiny_project: Path):
    proc = _train_on_mount(tiny_project, "size=1m")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "the run will write about" in proc.stderr and "MiB free" in proc.stderr and "Traceback" not in proc.stderr
    assert "model:" not in proc.stdout
    assert proc.stdout.split("--- left in runs:")[1].strip() == "", "not even a lock file stays"


def test_the_free_space_check_compares_the_estimate_with_the_disk(tiny_project: Path, load_tiny_config, monkeypatch):
    cfg = load_tiny_config(tiny_project)
    parts = estimate_run_bytes(cfg)
    assert parts["result"] > 3 * 2**20, "lm_head in modules_to_save: the adapter carries a copy of it"
    check_output_dir(cfg)  # the real disk has room
    usage = shutil.disk_usage(tiny_project)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage._replace(free=sum(parts.values()) - 1))
    with pytest.raises(DiskError, match="MiB free"):
        check_output_dir(cfg)


def test_an_output_dir_that_is_a_file_is_refused_by_validate(tiny_project: Path, load_tiny_config, run_medtune):
    (tiny_project / "runs").write_text("not a directory")
    with pytest.raises(DiskError, match="is a file, not a directory"):
        check_output_dir(load_tiny_config(tiny_project))
    proc = run_medtune("validate", "--config", str(tiny_project / "config.yaml"), cwd=tiny_project)
    assert proc.returncode == 2 and "is a file, not a directory" in proc.stderr and "Traceback" not in proc.stderr


def test_a_failed_metadata_write_leaves_no_zero_byte_temp_file(tmp_path: Path, monkeypatch):
    runs.write_metadata(tmp_path, {"status": "running"})

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        runs.update_metadata(tmp_path, status="completed")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == [runs.METADATA_FILE]
    assert runs.read_metadata(tmp_path)["status"] == "running", "the old file is whole"


@pytest.mark.slow
def test_a_write_failing_during_training_fails_the_run_cleanly(tiny_project: Path):
    """The first checkpoint (a 3 MiB adapter: lm_head is trained) exceeds a 2 MiB file-size limit."""
    from medtune.embedded import ensure_embedded_model

    ensure_embedded_model("embedded:tiny-phi4-mini", None)  # built here, so the child only reads it
    limit = 2 * 2**20

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    cmd = [sys.executable, "-m", "medtune", "train", "--config", str(tiny_project / "config.yaml"),
           "--set", "training.max_steps=4", "--set", "training.save_steps=2", "--set", "training.eval_strategy=no"]
    proc = subprocess.run(cmd, cwd=tiny_project, env=_env(), capture_output=True, text=True, timeout=300,
                          preexec_fn=small_files)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    [run_dir] = [p for p in (tiny_project / "runs").iterdir() if p.is_dir()]
    assert f"writing the run in {run_dir} failed (" in proc.stderr and "File too large" in proc.stderr
    assert "removed what it left half-written: checkpoints/checkpoint-2" in proc.stderr
    meta = json.loads((run_dir / runs.METADATA_FILE).read_text())
    assert meta["status"] == "failed" and "failed" in meta["error"]
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    empty = [p.name for p in files if p.stat().st_size == 0]
    assert set(empty) <= {"rejects.jsonl"}, f"no zero-byte file but the data report's empty list of rejects: {empty}"
    assert not [p for p in files if ".tmp-" in p.name or ".partial" in str(p)]
    assert runs.list_checkpoints(run_dir) == [], "the cut-off checkpoint is removed"
    assert not (run_dir / runs.ADAPTER_DIR).exists()
