#!/usr/bin/env python3
"""Times how long `kfpc lsp` takes to publish diagnostics after a change.

    bench/lsp_latency.py [--kfpc build/kfpc] [--edits 20] [--pause-ms 200] FILE.kf

Starts the language server, opens FILE.kf and waits for its first diagnostics. Then it sends
EDITS `textDocument/didChange` notifications, each an incremental edit of one line in the middle
of the file that alternately breaks a call (an unknown component, one error) and restores it.
The latency of an edit runs from writing the didChange to reading the
`textDocument/publishDiagnostics` that carries the new document version, so it includes the
server's debounce. Edits are PAUSE_MS apart, longer than the debounce, so each is checked alone.

Prints the minimum, median and maximum latency and checks the goal on the median: diagnostics
within 30 ms. The exit status is 1 when the goal fails and 2 when the server misbehaves.
"""

import argparse
import json
import os
import pathlib
import select
import statistics
import subprocess
import sys
import time

GOAL_MS = 30.0
TIMEOUT_S = 30.0


class Client:
    def __init__(self, argv):
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.buffer = b""
        self.next_id = 1

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method, params=None):
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        self.next_id += 1
        return self.next_id - 1

    def notify(self, method, params=None):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def read(self, deadline):
        """Returns the next message, or exits when none arrives before the deadline."""
        fd = self.process.stdout.fileno()
        while True:
            header_end = self.buffer.find(b"\r\n\r\n")
            if header_end >= 0:
                length = 0
                for line in self.buffer[:header_end].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                start = header_end + 4
                if len(self.buffer) >= start + length:
                    body = self.buffer[start:start + length]
                    self.buffer = self.buffer[start + length:]
                    return json.loads(body)
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                sys.exit("lsp_latency: error: timed out waiting for the language server")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                sys.exit("lsp_latency: error: the language server closed its output")
            self.buffer += chunk

    def wait_for(self, predicate):
        deadline = time.perf_counter() + TIMEOUT_S
        while True:
            message = self.read(deadline)
            if predicate(message):
                return message


def diagnostics_for(uri, version):
    def match(message):
        if message.get("method") != "textDocument/publishDiagnostics":
            return False
        params = message["params"]
        return params["uri"] == uri and params.get("version") == version
    return match


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kfpc", default="build/kfpc")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pause-ms", type=float, default=200.0)
    parser.add_argument("file")
    args = parser.parse_args()

    path = pathlib.Path(args.file).resolve()
    text = path.read_text()
    lines = text.split("\n")
    # The edited line is a call in the middle of the file, such as `  t990 = step(x = t989.out)`.
    line_number = len(lines) // 2
    original = lines[line_number]
    column = original.find("step(")
    if column < 0:
        sys.exit(f"lsp_latency: error: line {line_number + 1} of {path} has no call of `step`")
    uri = path.as_uri()

    client = Client([args.kfpc, "lsp"])
    client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    client.wait_for(lambda m: m.get("id") == 1)
    client.notify("initialized", {})
    start = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "kf", "version": 1, "text": text}})
    client.wait_for(diagnostics_for(uri, 1))
    open_ms = (time.perf_counter() - start) * 1000.0

    latencies = []
    errors_seen = []
    for edit in range(args.edits):
        version = edit + 2
        broken = edit % 2 == 0
        # Replaces `step` by `stepx` (an unknown component) or back.
        if broken:
            change = {"range": {"start": {"line": line_number, "character": column + 4},
                                "end": {"line": line_number, "character": column + 4}},
                      "text": "x"}
        else:
            change = {"range": {"start": {"line": line_number, "character": column + 4},
                                "end": {"line": line_number, "character": column + 5}},
                      "text": ""}
        time.sleep(args.pause_ms / 1000.0)
        start = time.perf_counter()
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        published = client.wait_for(diagnostics_for(uri, version))
        latencies.append((time.perf_counter() - start) * 1000.0)
        errors_seen.append(len(published["params"]["diagnostics"]))

    client.request("shutdown")
    client.wait_for(lambda m: m.get("id") == 2)
    client.notify("exit")
    client.process.stdin.close()
    client.process.wait(timeout=TIMEOUT_S)

    expected = [1 if edit % 2 == 0 else 0 for edit in range(args.edits)]
    if errors_seen != expected:
        sys.exit(f"lsp_latency: error: expected diagnostic counts {expected}, got {errors_seen}")

    median = statistics.median(latencies)
    print(f"lsp: {len(lines) - 1} lines, first diagnostics after didOpen in {open_ms:.1f} ms")
    print(f"lsp: didChange to publishDiagnostics over {args.edits} edits: min "
          f"{min(latencies):.1f} ms, median {median:.1f} ms, max {max(latencies):.1f} ms")
    ok = median < GOAL_MS
    print(f"  {'PASS' if ok else 'FAIL'}  language server: median {median:.1f} ms < {GOAL_MS:g} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
