#!/usr/bin/env python3
"""stop_anytime.py - sawtd stops cleanly whenever SIGTERM comes.

A stop at spread-out moments of start-up (initdb, the embedded server's
start, the migrations, the loop's first instants) and a stop right after
READY=1, each exiting 0 and leaving no PostgreSQL behind.  sawtd runs on
its embedded defaults under a service-manager socket (NOTIFY_SOCKET), as
systemd would run it.  TAP output.  Environment: SAWTD, SAWT_TEST_TMP.
"""
import os
import signal
import socket
import subprocess
import sys
import time

SAWTD = os.environ["SAWTD"]
TMP = os.environ["SAWT_TEST_TMP"]
RUNS = 10
n_test = 0
n_failed = 0


def ok(cond, desc, diag=""):
    global n_test, n_failed
    n_test += 1
    if not cond:
        n_failed += 1
    print(("ok" if cond else "not ok") + f" {n_test} - {desc}")
    if not cond and diag:
        for line in diag.splitlines()[-15:]:
            print("#   " + line)
    sys.stdout.flush()


def catches_sigterm(pid):
    """True once the process has a handler for SIGTERM (SigCgt bit 15)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)) != 0
    except OSError:
        pass
    return False


def postgres_left(state):
    """A process left running whose command line names the state directory."""
    me = os.getpid()
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == me:
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state in cmd and "postgres" in cmd:
            return cmd
    return None


def start(state, name):
    """Start sawtd on state; return (process, notify socket, log path)."""
    os.makedirs(state, exist_ok=True)
    os.chmod(state, 0o755)
    conf = os.path.join(state, "sawt.conf")
    with open(conf, "w") as f:
        f.write(f"[sawt]\nstate_dir = {state}/s\n")
    sock_path = os.path.join(TMP, f"notify-{name}")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    os.chmod(sock_path, 0o777)  # as systemd's is: any process may write to it
    log = os.path.join(state, f"sawtd-{name}.log")
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    env.pop("SAWT_CONFIG", None)
    proc = subprocess.Popen([SAWTD, "-c", conf], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    # from sawtd's first act (a handler, or a first log line) on
    while not catches_sigterm(proc.pid) and proc.poll() is None and os.path.getsize(log) == 0:
        time.sleep(0.001)
    return proc, sock, log


def wait_ready(sock, seconds):
    """True when READY=1 arrives on sock within seconds."""
    sock.settimeout(seconds)
    try:
        while True:
            if b"READY=1" in sock.recv(4096).split(b"\n"):
                return True
    except socket.timeout:
        return False


def stop_and_check(proc, sock, log, state, desc):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "hung"
    sock.close()
    text = open(log).read()
    ok(rc == 0, f"{desc}: exits 0 (got {rc})", text)
    left = postgres_left(state)
    ok(left is None and not os.path.exists(f"{state}/s/pg/data/postmaster.pid"),
       f"{desc}: no PostgreSQL left behind", left or text)
    ok("error" not in text, f"{desc}: logs no error", text)


# How long a first start takes here: the stops below are spread over it.
t0 = time.monotonic()
proc, sock, log = start(os.path.join(TMP, "first"), "first")
ok(wait_ready(sock, 180), "first start reaches READY=1", open(log).read())
startup = time.monotonic() - t0
print(f"# a first start (initdb, server, migrations) took {startup:.2f} s")
stop_and_check(proc, sock, log, os.path.join(TMP, "first"), "stop after the first READY")

for i in range(RUNS):
    delay = startup * i / RUNS
    state = os.path.join(TMP, f"early{i}")
    proc, sock, log = start(state, f"early{i}")
    time.sleep(delay)
    stop_and_check(proc, sock, log, state, f"stop {delay:.2f} s into a first start")

state = os.path.join(TMP, "ready")
for i in range(RUNS):
    proc, sock, log = start(state, f"ready{i}")
    ok(wait_ready(sock, 120), f"start {i} reaches READY=1", open(log).read())
    stop_and_check(proc, sock, log, state, f"stop {i} right after READY=1")

print(f"1..{n_test}")
sys.exit(1 if n_failed else 0)
