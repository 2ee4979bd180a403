"""A throwaway PostgreSQL server for the pytest suites of this folder.

Debian's postgresql-15 binaries: initdb into a temporary folder, password authentication,
a free port, stopped and removed at the end. As root the server runs as the unprivileged
`postgres` user, which then owns the folder.
"""
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

PG_BIN = "/usr/lib/postgresql/15/bin"
PASSWORD = "pw-Zq8!secret"
WORKER = os.path.join(os.environ.get("HPO_BINARY_DIR", "build"), "tests", "postgres_storage_worker")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, listen=("127.0.0.1",), allow_net=None):
        self.dir = tempfile.mkdtemp(prefix="hpo-pg-")
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        self.listen = listen
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        with open(os.path.join(self.dir, "pwfile"), "w") as f:
            f.write(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(os.path.join(self.dir, "pwfile"), "postgres")
        subprocess.run(self.as_owner + [
            f"{PG_BIN}/initdb", "-D", f"{self.dir}/data", "-U", "hpo", "--auth=scram-sha-256",
            f"--pwfile={self.dir}/pwfile", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True)
        if allow_net:
            hba = f"{self.dir}/data/pg_hba.conf"
            subprocess.run(self.as_owner + ["sh", "-c", f"echo 'host all all {allow_net} "
                                            f"scram-sha-256' >> {hba}"], check=True)
        self.running = False
        self.start()

    def start(self):
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses={','.join(self.listen)} "
                   "-c fsync=off -c max_connections=300")
        subprocess.run(self.as_owner + [
            f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/server.log",
            "-w", "-t", "60", "-o", options, "start"], check=True, capture_output=True)
        self.running = True

    def stop(self, mode="fast"):
        if not self.running:
            return
        self.running = False
        subprocess.run(self.as_owner + [
            f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop"],
            check=False, capture_output=True)

    def url(self, db="postgres", host="127.0.0.1", driver="", query=""):
        scheme = "postgresql" + (f"+{driver}" if driver else "")
        return f"{scheme}://hpo:{PASSWORD}@{host}:{self.port}/{db}" + (f"?{query}" if query else "")

    def psql(self, sql, db="postgres"):
        result = subprocess.run(
            [f"{PG_BIN}/psql", "-h", self.listen[0], "-p", str(self.port), "-U", "hpo", "-d", db,
             "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql],
            env={**os.environ, "PGPASSWORD": PASSWORD}, capture_output=True, text=True, check=True)
        return result.stdout

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def pg():
    if not os.path.exists(f"{PG_BIN}/initdb"):
        pytest.skip("PostgreSQL 15 server binaries are not installed (Debian package postgresql)")
    server = PgServer()
    yield server
    server.close()


def worker(*args, check=True):
    result = subprocess.run([WORKER, *map(str, args)], capture_output=True, text=True, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result
