"""A small PostgreSQL cluster on loopback ports in a temp folder, from Debian's server programs:
a primary, a streaming replica made with ``pg_basebackup -R``, and PgBouncer in transaction mode
in front of the primary. Used by tests/cluster and benchmarks/scale.py.

The server programs refuse to run as root: as root they run as the ``postgres`` user (runuser).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

PG_BIN = Path(os.environ.get("MARKETPLACE_PG_BIN", "/usr/lib/postgresql/15/bin"))
PGBOUNCER = os.environ.get("MARKETPLACE_PGBOUNCER_BIN") or shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
DATABASE = "marketplace"
SERVER_USER = "postgres"


def missing() -> str | None:
    """Why no cluster can start here, or None."""
    for program in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / program).is_file():
            return f"no {PG_BIN / program} (Debian's postgresql-15)"
    if not Path(PGBOUNCER).is_file():
        return "no pgbouncer (apt-get install pgbouncer)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root without a {SERVER_USER} user to run the servers as"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


_SERVER_CONF = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{folder}'
max_connections = 200
shared_buffers = 64MB
fsync = off
full_page_writes = off
synchronous_commit = off
wal_level = replica
max_wal_senders = 5
hot_standby = on
logging_collector = off
"""

_PGBOUNCER_INI = """
[databases]
{database} = host=127.0.0.1 port={primary_port} dbname={database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
admin_users = {user}
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@dataclass
class Cluster:
    folder: Path
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)
    bouncer_port: int = field(default_factory=free_port)
    _bouncer: subprocess.Popen | None = None
    _started: list[Path] = field(default_factory=list)

    def url(self, port: int, database: str = DATABASE) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    @property
    def bouncer_url(self) -> str:
        return self.url(self.bouncer_port)

    def app_env(self, *, replicas: bool = True, bouncer: bool = True) -> dict[str, str]:
        """What an app process needs to run on this cluster."""
        env = {"MARKETPLACE_DATABASE_URL": self.bouncer_url if bouncer else self.primary_url,
               "MARKETPLACE_DIRECT_DATABASE_URL": self.primary_url, "MARKETPLACE_PGBOUNCER": "1" if bouncer else ""}
        if replicas:
            env["MARKETPLACE_READ_DATABASE_URL"] = self.replica_url
        return env

    def _start_server(self, data: Path, port: int) -> None:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.folder / f"{data.name}.log"), "-w", "-t", "60",
              "-o", f"-p {port}", "start"])
        self._started.append(data)

    def start(self) -> Cluster:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        primary, replica = self.folder / "primary", self.folder / "replica"
        _run([str(PG_BIN / "initdb"), "-D", str(primary), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(_SERVER_CONF.format(folder=self.folder))
        self._start_server(primary, self.primary_port)
        _run([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", SERVER_USER,
              "-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"])
        self._start_server(replica, self.replica_port)
        (self.folder / "userlist.txt").write_text(f'"{SERVER_USER}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(_PGBOUNCER_INI.format(
            database=DATABASE, primary_port=self.primary_port, port=self.bouncer_port, folder=self.folder,
            user=SERVER_USER))
        if os.geteuid() == 0:
            for name in ("userlist.txt", "pgbouncer.ini"):
                os.chown(self.folder / name, pwd.getpwnam(SERVER_USER).pw_uid, pwd.getpwnam(SERVER_USER).pw_gid)
        asyncio.run(_admin(self.url(self.primary_port, "postgres"), f"CREATE DATABASE {DATABASE}"))
        self._bouncer = subprocess.Popen(_as_server_user([PGBOUNCER, str(self.folder / "pgbouncer.ini")]),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        asyncio.run(_until_answers(self.bouncer_url))
        return self

    def stop(self) -> None:
        if self._bouncer is not None:
            self._bouncer.terminate()
            try:
                self._bouncer.wait(10)
            except subprocess.TimeoutExpired:
                self._bouncer.kill()
            self._bouncer = None
        for data in reversed(self._started):
            subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                                            "stop"]), capture_output=True)
        self._started.clear()

    async def wait_replayed(self, seconds: float = 60.0) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = await _fetchval(self.primary_url, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + seconds
        while True:
            done = await _fetchval(self.replica_url, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
            if done:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the replica did not catch up")
            await asyncio.sleep(0.1)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _fetchval(url: str, query: str):
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


async def _until_answers(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            await _fetchval(url, "SELECT 1")
            return
        except (OSError, asyncpg.PostgresError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def start_cluster() -> Cluster:
    """A started cluster in a new temp folder; call ``stop()`` and remove ``folder`` when done."""
    folder = Path(tempfile.mkdtemp(prefix="marketplace-cluster-"))
    cluster = Cluster(folder)
    try:
        return cluster.start()
    except BaseException:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
