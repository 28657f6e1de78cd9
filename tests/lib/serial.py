#!/usr/bin/env python3
"""Talks to a QEMU serial port on a unix socket: waits for text and types keys, logging all it reads.

Usage: serial.py SOCKET LOG STEP...
  expect:SECONDS:REGEX   wait until REGEX matches the text seen since the last expect
                         (escape sequences removed); fail after SECONDS
  send:TEXT              type TEXT; \\e, \\r and \\n are escape, return and line feed
Exits 0 when every step passed, 1 naming the step that failed.
"""
import re
import socket
import sys
import time

ESC = re.compile(rb"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>78DEHMc])")


def main():
    sock_path, log_path, steps = sys.argv[1], sys.argv[2], sys.argv[3:]
    deadline = time.time() + 30
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            break
        except OSError:
            if time.time() > deadline:
                print(f"serial: cannot connect to {sock_path}")
                return 1
            time.sleep(0.2)
    s.settimeout(0.5)
    seen = b""
    with open(log_path, "ab") as log:
        for step in steps:
            kind, _, arg = step.partition(":")
            if kind == "send":
                keys = arg.replace("\\e", "\x1b").replace("\\r", "\r").replace("\\n", "\n")
                s.sendall(keys.encode())
                continue
            secs, _, rx = arg.partition(":")
            end = time.time() + float(secs)
            pat = re.compile(rx.encode())
            while True:
                text = ESC.sub(b"", seen).replace(b"\r", b"")
                if pat.search(text):
                    seen = b""
                    break
                if time.time() > end:
                    print(f"serial: no /{rx}/ within {secs} s; the last text seen:")
                    print(text[-600:].decode("utf-8", "replace"))
                    return 1
                try:
                    data = s.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    print(f"serial: the line closed while waiting for /{rx}/")
                    return 1
                log.write(data)
                log.flush()
                seen += data
    print("serial: every step passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
