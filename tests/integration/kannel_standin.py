#!/usr/bin/env python3
"""kannel_standin.py DIR - a stand-in for Kannel's sendsms, for the retry
rules of sawt's Kannel sender (tests/integration/kannel.sh).

Listens on 127.0.0.1 on a free port, written to DIR/port.  Each GET is
answered with the first line of DIR/script ("STATUS BODY"), which is then
removed; when the script is empty, with 202 "0: Accepted for delivery".
Each request is appended to DIR/requests as one line: the status given,
the outbox id of its dlr-url (or -), the recipient and the coding.
"""
import http.server
import os
import sys
import urllib.parse

DIR = sys.argv[1]


def next_answer():
    path = os.path.join(DIR, "script")
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
    except FileNotFoundError:
        lines = []
    if not lines:
        return 202, "0: Accepted for delivery"
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("".join(l + "\n" for l in lines[1:]))
    os.replace(path + ".tmp", path)
    status, _, body = lines[0].partition(" ")
    return int(status), body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        dlr = q.get("dlr-url", ["-"])[0]
        oid = urllib.parse.parse_qs(urllib.parse.urlsplit(dlr).query).get("id", ["-"])[0]
        status, body = next_answer()
        with open(os.path.join(DIR, "requests"), "a", encoding="utf-8") as f:
            f.write("%d %s %s %s\n" % (status, oid, q.get("to", ["-"])[0],
                                       q.get("coding", ["-"])[0]))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
