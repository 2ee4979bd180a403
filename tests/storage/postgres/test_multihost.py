"""One study shared by workers on three simulated hosts.

Each host is a network namespace joined to the test's own bridge by a veth pair, with an
address in 10.213.9.0/24; the PostgreSQL server listens on the bridge address 10.213.9.1 and
every worker reaches it only through its veth. The namespaces, links and server are created
and removed here. Every worker runs `postgres_storage_worker run`, which takes WAITING trials
(the study's budget, enqueued up front) until none is left and none runs anywhere.
"""
import os
import secrets
import subprocess
import time

import pytest

from conftest import PG_BIN, WORKER, PgServer, worker

SUBNET = "10.213.9"
HOSTS = 3


def ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def netns_permitted():
    if os.geteuid() != 0:
        return False
    name = "hpo-probe-" + secrets.token_hex(3)
    if ip("netns", "add", name, check=False).returncode != 0:
        return False
    ip("netns", "del", name, check=False)
    return True


class Hosts:
    """A bridge in the root namespace plus one namespace per host."""

    def __init__(self):
        tag = secrets.token_hex(2)
        self.bridge = f"hpobr{tag}"
        self.names = [f"hpo-{tag}-h{i}" for i in range(HOSTS)]
        self.links = [f"hpov{tag}{i}" for i in range(HOSTS)]
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{SUBNET}.1/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for i, (ns, link) in enumerate(zip(self.names, self.links)):
            ip("netns", "add", ns)
            ip("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns)
            ip("link", "set", link, "master", self.bridge, "up")
            ip("-n", ns, "addr", "add", f"{SUBNET}.{10 + i}/24", "dev", "eth0")
            ip("-n", ns, "link", "set", "eth0", "up")
            ip("-n", ns, "link", "set", "lo", "up")

    def spawn(self, host, *args):
        return subprocess.Popen(["ip", "netns", "exec", self.names[host], WORKER, *map(str, args)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def remove(self):
        for ns, link in zip(self.names, self.links):
            ip("link", "del", link, check=False)
            ip("netns", "del", ns, check=False)
        ip("link", "del", self.bridge, check=False)


@pytest.fixture(scope="module")
def net():
    if not os.path.exists(f"{PG_BIN}/initdb"):
        pytest.skip("PostgreSQL 15 server binaries are not installed (Debian package postgresql)")
    if not netns_permitted():
        pytest.skip("network namespaces are not permitted here (needs root and `ip netns`): "
                    "the three-host tests cannot run")
    hosts = Hosts()
    server = None
    try:
        server = PgServer(listen=(f"{SUBNET}.1",), allow_net=f"{SUBNET}.0/24")
        yield hosts, server
    finally:
        if server is not None:
            server.close()
        hosts.remove()


def trials_of(server, db):
    rows = server.psql("SELECT t.number, t.state, t.trial_id, "
                       "COALESCE((SELECT value_json FROM trial_system_attributes a "
                       "WHERE a.trial_id = t.trial_id AND a.key = 'failed_trial'), '') "
                       "FROM trials t ORDER BY t.number", db=db)
    out = []
    for line in rows.splitlines():
        number, state, trial_id, failed = line.split("|")
        out.append((int(number), state, int(trial_id), failed))
    return out


def finished(proc, timeout):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


def test_three_hosts_share_one_budget_and_retry_a_killed_worker(net):
    hosts, server = net
    db = server.create_database("threehosts")
    # The setup talks to the server through the bridge address too.
    url = server.url(db, host=f"{SUBNET}.1",
                     query="heartbeat_interval=0.5&grace_period=2&max_retry=2&reconnect_timeout=30")
    budget = 30
    worker("enqueue", url, "shared", budget)
    victim = hosts.spawn(0, "run", url, "shared", 3000)  # slow: still running when killed
    line = victim.stdout.readline().split()
    assert line[0] == "started", line
    killed_trial_id = int(line[1])
    victim.kill()  # SIGKILL: no chance to tell the storage anything
    victim.wait()
    others = [hosts.spawn(h, "run", url, "shared", 100) for h in (1, 2)]
    outputs = [finished(p, 120) for p in others]

    trials = trials_of(server, db)
    numbers = [t[0] for t in trials]
    assert numbers == list(range(len(trials)))  # unique and dense
    states = [t[1] for t in trials]
    assert states.count("COMPLETE") == budget  # exactly the budget
    failed = [t for t in trials if t[1] == "FAIL"]
    assert [t[2] for t in failed] == [killed_trial_id]
    # Its retry (a later trial recording which one it retries) completed on another host.
    retries = [t for t in trials if t[3] == str(failed[0][0])]
    assert len(retries) == 1 and retries[0][1] == "COMPLETE"
    assert any(f"completed {retries[0][2]} " in out for out in outputs)
    assert len(trials) == budget + 1
    # Both surviving hosts took part.
    assert all("completed" in out for out in outputs)


def test_server_restart_mid_run_loses_no_complete_trial(net):
    hosts, server = net
    db = server.create_database("restart")
    url = server.url(db, host=f"{SUBNET}.1",
                     query="heartbeat_interval=0.5&grace_period=30&reconnect_timeout=60")
    budget = 60
    worker("enqueue", url, "shared", budget)
    procs = [hosts.spawn(h, "run", url, "shared", 150) for h in range(HOSTS)]
    time.sleep(1.0)
    done_before = sum(1 for t in trials_of(server, db) if t[1] == "COMPLETE")
    assert 0 < done_before < budget - 10  # the restart lands in the middle of the run
    server.stop(mode="immediate")  # a crash: connections drop mid-statement
    time.sleep(2)
    server.start()
    outputs = [finished(p, 150) for p in procs]

    trials = trials_of(server, db)
    assert [t[0] for t in trials] == list(range(budget))
    by_id = {t[2]: t[1] for t in trials}
    reported = [int(line.split()[1]) for out in outputs for line in out.splitlines()
                if line.startswith("completed")]
    assert len(reported) == len(set(reported)) == budget
    assert all(by_id[i] == "COMPLETE" for i in reported)  # every acknowledged COMPLETE kept
    assert sum(1 for t in trials if t[1] == "COMPLETE") == budget
