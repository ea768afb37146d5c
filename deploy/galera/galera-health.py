#!/usr/bin/env python3
"""Answers HAProxy's `option httpchk` for one Galera node: 200 only when the node is
Synced (wsrep_local_state = 4) and ready (wsrep_ready = ON), 503 otherwise.

`option mysql-check` would pass a node that is joining, a donor, or cut off from the
Primary component; writes sent there fail or read stale data. Each check opens its own
connection, so a dead or hung node is reported as such within the client's timeout.

Usage: galera-health.py LISTEN_HOST:PORT  (and the mariadb client options in
GALERA_HEALTH_MYSQL_ARGS, e.g. "-S /run/mysqld/mysqld.sock -u health")
Standard library only, so it runs on a database host with nothing else installed.
"""
import http.server
import os
import shlex
import subprocess
import sys

STATUS_SQL = (
    "SHOW GLOBAL STATUS WHERE Variable_name IN "
    "('wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_ready', "
    "'wsrep_cluster_status')"
)
CLIENT = ["mariadb", "--no-defaults", "--connect-timeout=2", "-N", "-B"] + shlex.split(
    os.environ.get("GALERA_HEALTH_MYSQL_ARGS", "")
)


def node_status():
    try:
        out = subprocess.run(
            CLIENT + ["-e", STATUS_SQL],
            capture_output=True, text=True, timeout=3, check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError) as e:
        return False, f"unreachable: {type(e).__name__}"
    status = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    synced = (
        status.get("wsrep_local_state") == "4"
        and status.get("wsrep_ready") == "ON"
        and status.get("wsrep_cluster_status") == "Primary"
    )
    words = ", ".join(f"{k}={v}" for k, v in sorted(status.items()))
    return synced, words


class Check(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        synced, words = node_status()
        body = (("synced: " if synced else "not synced: ") + words + "\n").encode()
        self.send_response(200 if synced else 503)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass  # HAProxy checks every second; its own log says when a node changes state


if __name__ == "__main__":
    host, port = sys.argv[1].rsplit(":", 1)
    http.server.ThreadingHTTPServer((host, int(port)), Check).serve_forever()
