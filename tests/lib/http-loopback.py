#!/usr/bin/env python3
"""A web server for tests, on 127.0.0.1 only: serves a folder, redirects /redirect?to=URL, optionally over TLS.

Usage: http-loopback.py DIR PORTFILE [CERT KEY]
The port the kernel picked is written to PORTFILE once the server listens.
"""
import functools
import http.server
import os
import socketserver
import ssl
import sys
import urllib.parse


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/redirect":
            to = urllib.parse.parse_qs(url.query).get("to", [""])[0]
            self.send_response(302)
            self.send_header("Location", to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


def main():
    folder, portfile = sys.argv[1], sys.argv[2]
    handler = functools.partial(Handler, directory=folder)
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
        if len(sys.argv) > 4:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(sys.argv[3], sys.argv[4])
            httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        with open(portfile + ".tmp", "w") as f:
            f.write(str(httpd.server_address[1]))
        # Renamed into place, so a reader never sees a half-written port.
        os.rename(portfile + ".tmp", portfile)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
