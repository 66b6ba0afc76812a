#!/usr/bin/python3
"""http_conns.py - connections that misbehave, for tests/integration/http_*.sh.

  http_conns.py slow PORT SECS
      send half a request and stop; print "closed" when the server hangs
      up within SECS seconds, else "open".
  http_conns.py idle PORT N SECS PATH AUTH
      open N connections and say nothing on them; then send one normal
      GET PATH (AUTH: an Authorization header value) on a new connection
      and print its status ("status 200"); then wait up to SECS seconds
      for the server to close the idle ones and print "closed K of N".
  http_conns.py cap PORT N SECS
      open N connections and say nothing; after SECS seconds print
      "closed K open M": the server closed K of them at once, M stay.
"""
import http.client
import resource
import select
import socket
import sys
import time


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


def open_conns(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(False)
        socks.append(s)
    return socks


def closed_by_peer(s):
    """True when the server has closed s (EOF or reset), without waiting."""
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return s.recv(4096) == b""
    except (ConnectionResetError, BlockingIOError) as e:
        return isinstance(e, ConnectionResetError)


def wait_closed(socks, secs):
    deadline = time.monotonic() + secs
    done = set()
    while time.monotonic() < deadline and len(done) < len(socks):
        for i, s in enumerate(socks):
            if i not in done and closed_by_peer(s):
                done.add(i)
        time.sleep(0.05)
    return len(done)


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "slow":
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"POST /sms/inbound HTTP/1.1\r\nHost: sawt\r\n")
        s.setblocking(False)
        print("closed" if wait_closed([s], float(sys.argv[3])) == 1 else "open")
    elif cmd == "idle":
        n, secs, path, auth = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
        raise_nofile(n)
        socks = open_conns(port, n)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", path, headers={"Authorization": auth})
        print("status %d" % c.getresponse().status)
        c.close()
        print("closed %d of %d" % (wait_closed(socks, secs), n))
    elif cmd == "cap":
        n, secs = int(sys.argv[3]), float(sys.argv[4])
        raise_nofile(n)
        socks = open_conns(port, n)
        k = wait_closed(socks, secs)
        print("closed %d open %d" % (k, n - k))
    else:
        sys.exit("usage: http_conns.py slow|idle|cap PORT ...")


if __name__ == "__main__":
    main()
