# A token-auth front for a docker-registry, as Docker Hub works: /v2/ requests without a
# bearer token get a 401 `WWW-Authenticate: Bearer realm=…,service=…,scope=…`; /token
# hands out a token for Basic user:password; requests with the token are proxied.
# Usage: python3 RegistryTokenProxy.py LISTEN_PORT UPSTREAM_PORT USER PASSWORD
import base64, http.server, sys, urllib.request, urllib.error

port, upstream, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
TOKEN = "swiftlet-test-token"

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/token"):
            expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            if self.headers.get("Authorization") != expected or "service=test-registry" not in self.path:
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
            return self.reply(200, ('{"token":"%s"}' % TOKEN).encode(), [("Content-Type", "application/json")])
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            repo = self.path[len("/v2/"):].split("/manifests/")[0].split("/blobs/")[0]
            challenge = f'Bearer realm="http://127.0.0.1:{port}/token",service="test-registry",scope="repository:{repo}:pull"'
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                              [("WWW-Authenticate", challenge)])
        request = urllib.request.Request(f"http://127.0.0.1:{upstream}{self.path}", headers={"Accept": self.headers.get("Accept", "*/*")})
        try:
            with urllib.request.urlopen(request) as response:
                body = response.read()
                headers = [(k, v) for k, v in response.getheaders() if k.lower() in ("content-type", "docker-content-digest")]
                self.reply(response.status, body, headers)
        except urllib.error.HTTPError as error:
            self.reply(error.code, error.read())

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
