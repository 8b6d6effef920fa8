"""A Patroni cluster on loopback for the HA tests: one etcd and N PostgreSQL members, each
Patroni member from deploy/ha/test/patroni.yml, all run as the unprivileged `postgres` user
when the tests run as root (PostgreSQL refuses root), in a directory it owns. Members can be killed the hard way (SIGKILL
to Patroni and to PostgreSQL's whole process group: the server is simply gone) and started
again.

    uv run python -m tests.ha_cluster      # start one by hand; prints the hub's --db URL
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "ha" / "test" / "patroni.yml"


def _pg_bin() -> Path:
    """The newest PostgreSQL server installed the Debian way (15 on this machine)."""
    found = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "postgres").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
RUN_AS = "postgres"
HUB_USER, HUB_DB = "hub", "hub"


class ClusterUnavailable(Exception):
    """What the cluster needs is not installed here (patroni, etcd, PostgreSQL 15, a
    `postgres` user)."""


def run_as() -> tuple[int, int]:
    """Who runs etcd, Patroni and PostgreSQL: the `postgres` user when we are root
    (PostgreSQL refuses root), otherwise ourselves."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    account = pwd.getpwnam(RUN_AS)
    return account.pw_uid, account.pw_gid


def missing_tools() -> list[str]:
    missing = [tool for tool in ("patroni", "etcd") if shutil.which(tool) is None]
    if not (PG_BIN / "postgres").exists():
        missing.append(str(PG_BIN / "postgres"))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            missing.append(f"user {RUN_AS} (PostgreSQL does not run as root)")
    return missing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(predicate: Any, what: str, limit: float) -> Any:
    """Poll `predicate` until it returns something true; TimeoutError after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        with contextlib.suppress(OSError, ValueError):
            value = predicate()
            if value:
                return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {limit} s")
        time.sleep(0.2)  # polling a condition with a deadline


@dataclass
class Member:
    name: str
    pg_port: int
    rest_port: int
    process: subprocess.Popen[bytes] | None = None

    def rest(self, path: str, timeout: float = 2.0) -> tuple[int, Any]:
        """Patroni's REST API: (status, JSON body); status 0 when nothing answers."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.rest_port}{path}", timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            return exc.code, json.loads(body) if body else None
        except (OSError, ValueError):
            return 0, None


@dataclass
class HaCluster:
    members: int = 2
    scope: str = "hub"
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hub-ha-")))
    hub_password: str = field(default_factory=lambda: secrets.token_hex(12))
    superuser_password: str = field(default_factory=lambda: secrets.token_hex(12))
    replication_password: str = field(default_factory=lambda: secrets.token_hex(12))
    rewind_password: str = field(default_factory=lambda: secrets.token_hex(12))
    archive: Path | None = None  # where the primary archives WAL (default: in the cluster's directory)
    # bootstrap from a base backup (deploy/ha/backup.sh) and the WAL archive next to it
    restore_from: tuple[Path, Path] | None = None

    def __post_init__(self) -> None:
        self.etcd_port, self.etcd_peer_port = free_port(), free_port()
        self.nodes = [Member(f"pg{i + 1}", free_port(), free_port()) for i in range(self.members)]
        self.archive = self.archive or self.root / "wal-archive"
        self.etcd: subprocess.Popen[bytes] | None = None
        self.uid, self.gid = run_as()

    # -- addresses -------------------------------------------------------------------------

    def url(self, user: str = HUB_USER, password: str | None = None, database: str = HUB_DB) -> str:
        """The hub's --db setting: every member in one libpq URL; libpq connects to the one
        that accepts writes (target_session_attrs=read-write)."""
        secret = password or (self.hub_password if user == HUB_USER else self.superuser_password)
        hosts = "&".join(f"host=127.0.0.1:{m.pg_port}" for m in self.nodes)
        return (
            f"postgresql+psycopg://{user}:{secret}@/{database}?{hosts}"
            "&target_session_attrs=read-write&connect_timeout=2"
        )

    def member_url(self, member: Member, database: str = HUB_DB) -> str:
        return (
            f"postgresql+psycopg://postgres:{self.superuser_password}@127.0.0.1:{member.pg_port}/{database}"
        )

    # -- life ------------------------------------------------------------------------------

    def __enter__(self) -> HaCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, self.uid, self.gid)

    def _as_owner(self) -> dict[str, Any]:
        """subprocess arguments that run a child as the cluster's owner (root switches)."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []} if os.geteuid() == 0 else {}

    def _spawn(self, argv: list[str], log_name: str) -> subprocess.Popen[bytes]:
        log = open(self.root / log_name, "ab")  # noqa: SIM115 - the child holds it
        self._own(self.root / log_name)
        try:
            return subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                start_new_session=True,
                **self._as_owner(),
                env={"PATH": f"{PG_BIN}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.root)},
            )
        finally:
            log.close()

    def start(self) -> None:
        missing = missing_tools()
        if missing:
            raise ClusterUnavailable(f"not installed: {', '.join(missing)}")
        self.root.chmod(0o755)
        self._own(self.root)
        self.archive.mkdir(exist_ok=True)
        self._own(self.archive)
        etcd_dir = self.root / "etcd"
        etcd_dir.mkdir()
        self._own(etcd_dir)
        client, peer = f"http://127.0.0.1:{self.etcd_port}", f"http://127.0.0.1:{self.etcd_peer_port}"
        self.etcd = self._spawn(
            [
                "etcd",
                "--name=etcd1",
                f"--data-dir={etcd_dir}",
                f"--listen-client-urls={client}",
                f"--advertise-client-urls={client}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=etcd1={peer}",
                f"--initial-cluster-token={self.root.name}",
                "--initial-cluster-state=new",
            ],
            "etcd.log",
        )
        wait_until(lambda: _http_ok(f"{client}/health"), "etcd start", 30)
        for member in self.nodes:
            self._write_config(member)
        self.start_member(self.nodes[0])  # the first one bootstraps; the others clone from it
        wait_until(lambda: self.primary() is self.nodes[0], "bootstrap of pg1", 90)
        for member in self.nodes[1:]:
            self.start_member(member)
        if len(self.nodes) > 1:
            self.wait_synchronous(120)
        if self.restore_from is None:
            self._create_hub_database()

    def _write_config(self, member: Member) -> None:
        text = string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
            SCOPE=self.scope,
            NAME=member.name,
            ROOT=self.root,
            REST_PORT=member.rest_port,
            PG_PORT=member.pg_port,
            ETCD_PORT=self.etcd_port,
            PG_BIN=PG_BIN,
            ARCHIVE=self.archive,
            SUPERUSER_PASSWORD=self.superuser_password,
            REPLICATION_PASSWORD=self.replication_password,
            REWIND_PASSWORD=self.rewind_password,
        )
        if self.restore_from is not None:
            text = self._restoring(text)
        path = self.root / f"{member.name}.yml"
        path.write_text(text, encoding="utf-8")
        self._own(path)
        log_dir = self.root / f"{member.name}-log"
        log_dir.mkdir(exist_ok=True)
        self._own(log_dir)

    def _restoring(self, config_text: str) -> str:
        """The member's configuration with the custom bootstrap of docs/ha.md ("Restore"):
        the base backup, then archive recovery from the WAL archive, then promotion."""
        import yaml

        assert self.restore_from is not None
        backup, wal = self.restore_from
        config = yaml.safe_load(config_text)
        config["bootstrap"]["method"] = "restore_backup"
        config["bootstrap"]["restore_backup"] = {
            "command": f"{ROOT / 'deploy' / 'ha' / 'restore-base-backup.sh'} {backup}",
            "recovery_conf": {
                "restore_command": f"cp {wal}/%f %p",
                "recovery_target_action": "promote",
                "recovery_target_timeline": "latest",
            },
        }
        return str(yaml.safe_dump(config, sort_keys=False))

    def base_backup(self, target: Path) -> Path:
        """deploy/ha/backup.sh against the cluster, as the postgres user: the backup's path."""
        hosts = ",".join("127.0.0.1" for _ in self.nodes)
        ports = ",".join(str(m.pg_port) for m in self.nodes)
        run = subprocess.run(
            [
                str(ROOT / "deploy" / "ha" / "backup.sh"),
                f"host={hosts} port={ports} user=replicator target_session_attrs=read-write",
                str(target),
            ],
            capture_output=True,
            text=True,
            **self._as_owner(),
            env={
                "PATH": f"{PG_BIN}:/usr/bin:/bin",
                "PGPASSWORD": self.replication_password,
                "HOME": str(self.root),
            },
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        return Path(run.stdout.strip().splitlines()[-1])

    def _superuser_on_primary(self):  # type: ignore[no-untyped-def]
        """An autocommit connection to the current primary's `postgres` database."""
        import psycopg

        primary = self.primary()
        assert primary is not None
        return psycopg.connect(
            host="127.0.0.1",
            port=primary.pg_port,
            user="postgres",
            password=self.superuser_password,
            dbname="postgres",
            autocommit=True,
        )

    def switch_wal(self) -> str:
        """Close the current WAL segment and wait until the archive holds it: its name."""
        with self._superuser_on_primary() as connection:
            row = connection.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
            assert row is not None
            segment = str(row[0])
        assert self.archive is not None
        wait_until((self.archive / segment).exists, f"WAL segment {segment} archived", 60)
        return segment

    def start_member(self, member: Member) -> None:
        member.process = self._spawn(["patroni", str(self.root / f"{member.name}.yml")], f"{member.name}.out")

    def kill(self, member: Member) -> None:
        """SIGKILL Patroni and every PostgreSQL process of this member: no shutdown, no
        checkpoint, no goodbye to the standby."""
        postmaster = self.root / member.name / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(postmaster.read_text().split()[0])
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        if member.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(member.process.pid, signal.SIGKILL)
            member.process.wait(10)
            member.process = None

    def stop(self) -> None:
        for member in self.nodes:
            self.kill(member)
        if self.etcd is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.etcd.pid, signal.SIGKILL)
            self.etcd.wait(10)
            self.etcd = None
        if not os.environ.get("HA_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    # -- state -----------------------------------------------------------------------------

    def roles(self) -> dict[str, Any]:
        """Each member's view of itself (its REST /patroni answer), by name."""
        return {m.name: m.rest("/patroni")[1] for m in self.nodes}

    def primary(self) -> Member | None:
        for member in self.nodes:
            status, _ = member.rest("/primary")
            if status == 200:
                return member
        return None

    def wait_synchronous(self, limit: float) -> tuple[Member, Member]:
        """Until one member is primary and another its synchronous standby, streaming."""

        def ready() -> tuple[Member, Member] | None:
            primary = self.primary()
            if primary is None:
                return None
            for member in self.nodes:
                if member is not primary and member.rest("/sync")[0] == 200:
                    state = member.rest("/patroni")[1] or {}
                    if state.get("state") == "running" and state.get("replication_state", "streaming") == (
                        "streaming"
                    ):
                        return primary, member
            return None

        return wait_until(ready, "a primary with a synchronous standby", limit)  # type: ignore[no-any-return]

    def _create_hub_database(self) -> None:
        with self._superuser_on_primary() as connection:
            connection.execute(f"CREATE ROLE {HUB_USER} LOGIN PASSWORD '{self.hub_password}'")
            connection.execute(f"CREATE DATABASE {HUB_DB} OWNER {HUB_USER}")

    def log_tail(self, lines: int = 40) -> str:
        """The members' and etcd's recent log lines, for a failing test's message."""
        out = []
        for path in sorted(self.root.glob("*.out")) + sorted(self.root.glob("*-log/*")):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            out.append(f"== {path.name}\n" + "\n".join(text))
        return "\n".join(out)


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(response.status == 200)


if __name__ == "__main__":
    with HaCluster() as cluster:
        print(f"cluster in {cluster.root}")
        print(f"scanner-hub serve --db '{cluster.url()}'")
        print("Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
