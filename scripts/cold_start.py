#!/usr/bin/env python3
"""Cold start of the Lambda function: from spawning `bootstrap` to its first poll of the
Lambda Runtime API for an invocation.

    python3 scripts/cold_start.py BOOTSTRAP [RUNS]

A loopback server plays the Runtime API; a second loopback listener is the AWS endpoint
(AWS_ENDPOINT_URL), so a network call at init would be seen: any connection to it before the
first poll fails the measurement. The function gets the configuration a deployment gives it
(topic, expected accounts, bucket), no rules file and no Sigma rules. Prints one JSON line:

    {"runs": N, "median_ms": ..., "min_ms": ..., "max_ms": ..., "network_calls_at_init": 0}

The time includes the fork and exec of the process, so it is an upper bound of what the
function itself spends.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLL = "/2018-06-01/runtime/invocation/next"


class RuntimeApi(BaseHTTPRequestHandler):
    """Notes the time of the first poll; answers nothing (the function is stopped anyway)."""

    polled = None  # threading.Event, set per run
    at = None

    def do_GET(self):
        if self.path == POLL and not RuntimeApi.polled.is_set():
            RuntimeApi.at = time.perf_counter()
            RuntimeApi.polled.set()
        self.close_connection = True

    def log_message(self, *args):
        pass


def watch_endpoint(listener, seen):
    """Counts every connection to the AWS endpoint."""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        seen.append(time.perf_counter())
        conn.close()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    bootstrap = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) == 3 else 20
    api = ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    endpoint = socket.socket()
    endpoint.bind(("127.0.0.1", 0))
    endpoint.listen(16)
    calls = []
    threading.Thread(target=watch_endpoint, args=(endpoint, calls), daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{endpoint.getsockname()[1]}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "trailwatch",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "TRAILWATCH_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:trailwatch-alerts",
        "TRAILWATCH_EXPECTED_ACCOUNTS": "123456789012,999988887777",
        "TRAILWATCH_BUCKETS": "example-ct-logs",
    }
    times = []
    for _ in range(runs):
        RuntimeApi.polled = threading.Event()
        calls_before = len(calls)
        start = time.perf_counter()
        child = subprocess.Popen([bootstrap], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        polled = RuntimeApi.polled.wait(timeout=10)
        child.kill()
        _, stderr = child.communicate()
        if not polled:
            sys.exit(f"cold_start: {bootstrap} never polled the Runtime API:\n{stderr.decode()}")
        if any(t < RuntimeApi.at for t in calls[calls_before:]):
            sys.exit("cold_start: the function called the AWS endpoint before its first poll")
        times.append((RuntimeApi.at - start) * 1000)
    api.shutdown()
    endpoint.close()
    print(json.dumps({
        "runs": runs,
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(min(times), 2),
        "max_ms": round(max(times), 2),
        "network_calls_at_init": 0,
    }))


if __name__ == "__main__":
    main()
