import Foundation
import Testing

/// The built-in Ingress controller as a user meets it: two Deployments behind one Ingress,
/// routed by path and by host on the node's port 80, TLS on 443 with a kubernetes.io/tls
/// Secret picked by SNI (HTTP/2 by ALPN), 503 while a backend has no endpoints, all through the real
/// kubectl and curl in the node's network namespace.
@Suite(.enabled(if: getuid() == 0 && AgentHarness.hasKubectl))
struct IngressIntegrationTests {
    /// Each pod serves its own name at /api/who, /web/who and /who, and its request's
    /// X-Forwarded headers (busybox httpd passes headers to CGI as HTTP_*) at /cgi-bin/env.
    private static let serve = "mkdir -p /srv/api /srv/web /srv/cgi-bin; hostname > /srv/who; cp /srv/who /srv/api/who; cp /srv/who /srv/web/who; "
        + "printf '%s\\n' '#!/bin/sh' \"printf 'Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n'\" 'env | grep X_FORWARDED | sort' > /srv/cgi-bin/env; chmod +x /srv/cgi-bin/env; "
        + "exec httpd -f -p 8080 -h /srv"

    private static let ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: hello
        spec:
          tls:
          - hosts: [hello.local]
            secretName: hello-tls
          rules:
          - host: hello.local
            http:
              paths:
              - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
              - {path: /web, pathType: Prefix, backend: {service: {name: web, port: {name: 80-8080}}}}
              - {path: /cgi-bin, pathType: Prefix, backend: {service: {name: web, port: {name: 80-8080}}}}
          - host: other.local
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}

        """

    @Test func routesByHostAndPathOverHTTPAndHTTPS() throws {
        let node = try AgentHarness("ingress")
        node.ingress = true
        defer { node.shutDown() }
        try node.importImage(as: "busybox:stable")
        try node.start()
        #expect(node.waitForKubectl(["version"], timeout: 30) { $0.contains("Server Version") }.contains("Server Version"))
        for name in ["api", "web"] {
            let created = node.kubectl(["create", "deployment", name, "--image=busybox:stable", "--replicas=2", "--", "sh", "-c", Self.serve])
            #expect(created.output.contains("deployment.apps/\(name) created"), "\(created.output)")
        }
        #expect(node.kubectl(["expose", "deployment", "api", "--port=80", "--target-port=8080"]).status == 0)
        // web's port is named (80-8080), for a backend that names it.
        #expect(node.kubectl(["create", "service", "clusterip", "web", "--tcp=80:8080"]).output.contains("service/web created"))
        let ready = node.waitForKubectl(["get", "deploy"], timeout: 90) { $0.contains("api ") && $0.components(separatedBy: "2/2").count == 3 }
        #expect(ready.components(separatedBy: "2/2").count == 3, "\(ready)")

        // The TLS Secret from a certificate made here.
        let cert = node.base + "/hello.crt", key = node.base + "/hello.key"
        let made = node.runInNode(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hello.local",
                                   "-addext", "subjectAltName=DNS:hello.local", "-keyout", key, "-out", cert])
        #expect(made.status == 0, "\(made.output)")
        #expect(node.kubectl(["create", "secret", "tls", "hello-tls", "--cert", cert, "--key", key]).output.contains("secret/hello-tls created"))
        let applied = node.kubectl(["apply", "-f", "-"], input: Self.ingress)
        #expect(applied.output.contains("ingress.networking.k8s.io/hello created"), "\(applied.output)")

        // kubectl shows the node's address once the controller took the Ingress.
        let ip = node.gateway
        let listed = node.waitForKubectl(["get", "ingress", "hello"]) { $0.contains(ip) }
        #expect(listed.contains("HOSTS") && listed.contains("hello.local,other.local") && listed.contains(ip) && listed.contains("80, 443"), "\(listed)")

        func get(_ host: String, _ path: String) -> String {
            node.runInNode(["/usr/bin/curl", "-s", "-m", "5", "-H", "Host: " + host, "http://\(ip)" + path]).output
        }
        #expect(node.wait(30) { get("hello.local", "/api/who").hasPrefix("api-") }, "\(get("hello.local", "/api/who"))\n\(node.kubectl("get pods,ep -o wide").output)\n\(node.agentLog.suffix(2000))")
        #expect(get("hello.local", "/web/who").hasPrefix("web-"))
        #expect(get("other.local", "/api/who").hasPrefix("web-"))
        // /apiary is not under /api, and no rule takes it: the controller's 404.
        let miss = node.runInNode(["/usr/bin/curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: hello.local", "http://\(ip)/apiary"]).output
        #expect(miss == "404", "\(miss)")
        // Every pod behind a Service gets requests.
        let seen = Set((0..<30).map { _ in get("hello.local", "/api/who").trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(seen.count == 2 && seen.allSatisfy { $0.hasPrefix("api-") }, "\(seen)")

        // The backend sees who asked and how.
        let env = get("hello.local:80", "/cgi-bin/env")
        #expect(env.contains("HTTP_X_FORWARDED_FOR=\(ip)") && env.contains("HTTP_X_FORWARDED_PROTO=http")
                && env.contains("HTTP_X_FORWARDED_HOST=hello.local"), "\(env)")

        // Keep-alive to the client: several requests over one connection.
        let reuse = node.runInNode(["/usr/bin/curl", "-s", "-m", "5", "-v", "-H", "Host: hello.local", "http://\(ip)/api/who", "http://\(ip)/web/who"]).output
        #expect(reuse.contains("Re-using existing connection") || reuse.contains("Reusing existing"), "\(reuse)")

        // HTTPS: the Secret's certificate for hello.local (verified against it), by SNI.
        func https(_ host: String, _ path: String, _ extra: [String] = []) -> (status: Int32, output: String) {
            node.runInNode(["/usr/bin/curl", "-s", "-m", "5", "--resolve", "\(host):443:\(ip)"] + extra + ["https://\(host)" + path])
        }
        let secure = https("hello.local", "/api/who", ["--cacert", cert])
        #expect(secure.status == 0 && secure.output.hasPrefix("api-"), "\(secure)")
        #expect(https("hello.local", "/cgi-bin/env", ["--cacert", cert]).output.contains("HTTP_X_FORWARDED_PROTO=https"))
        // HTTP/2 by ALPN to clients that offer it.
        let h2 = https("hello.local", "/web/who", ["--cacert", cert, "--http2", "-w", "|%{http_version}"])
        #expect(h2.output.hasPrefix("web-") && h2.output.hasSuffix("|2"), "\(h2)")
        // Another name gets the node's default certificate, which that CA does not sign.
        #expect(https("other.local", "/who", ["--cacert", cert]).status != 0)
        #expect(https("other.local", "/who", ["-k"]).output.hasPrefix("web-"))

        // No endpoints: 503, and routing comes back when pods do, without a restart.
        #expect(node.kubectl("scale deployment api --replicas=0").status == 0)
        func code(_ path: String) -> String {
            node.runInNode(["/usr/bin/curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: hello.local", "http://\(ip)" + path]).output
        }
        #expect(node.wait(60) { code("/api/who") == "503" }, "\(code("/api/who"))")
        #expect(get("hello.local", "/web/who").hasPrefix("web-"))
        #expect(node.kubectl("scale deployment api --replicas=1").status == 0)
        #expect(node.wait(60) { get("hello.local", "/api/who").hasPrefix("api-") })

        // A bad Ingress is one error line naming it and its field; the good one still routes.
        let bad = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: broken}
            spec:
              tls: [{hosts: [broken.local], secretName: no-such-secret}]
              rules: [{host: broken.local, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]

            """
        #expect(node.kubectl(["apply", "-f", "-"], input: bad).status == 0)
        #expect(node.wait(30) { node.agentLog.contains("Ingress default/broken: spec.tls[0].secretName: Secret \"no-such-secret\" not found") })
        #expect(get("hello.local", "/web/who").hasPrefix("web-"))
        #expect(node.agentLog.components(separatedBy: "Ingress default/broken:").count == 2, "reported once")
    }
}
