import APIStore
import Foundation
import IngressController
import Testing

/// The routing core as a user's Ingress rules make it route.
struct RoutingTableTests {
    private func ingress(_ json: String) -> IngressSpec {
        let object = JSONValue.parse(Data(json.utf8))!
        switch IngressSpec.parse(object) {
        case .success(let spec): return spec
        case .failure(let error): fatalError("\(error)")
        }
    }

    private let services: [ServiceName: ServiceTargets] = [
        ServiceName(namespace: "default", name: "api"): ServiceTargets(ports: [.init(name: "http", port: 80, endpoints: ["10.0.0.1:8080"])]),
        ServiceName(namespace: "default", name: "web"): ServiceTargets(ports: [.init(name: "web", port: 8000, endpoints: ["10.0.0.2:9000"])]),
        ServiceName(namespace: "default", name: "other"): ServiceTargets(ports: [.init(name: nil, port: 80, endpoints: ["10.0.0.3:80"])]),
        ServiceName(namespace: "default", name: "empty"): ServiceTargets(ports: [.init(name: nil, port: 80, endpoints: [])]),
    ]

    private var main: IngressSpec {
        ingress("""
        {"metadata": {"name": "main", "namespace": "default"}, "spec": {
          "defaultBackend": {"service": {"name": "other", "port": {"number": 80}}},
          "rules": [
            {"host": "hello.local", "http": {"paths": [
              {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"name": "http"}}}},
              {"path": "/web", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 8000}}}},
              {"path": "/api/exact", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {"number": 8000}}}},
              {"path": "/down", "pathType": "ImplementationSpecific", "backend": {"service": {"name": "empty", "port": {"number": 80}}}}]}},
            {"host": "*.example.com", "http": {"paths": [
              {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 8000}}}}]}}
          ]}}
        """)
    }

    private func endpoint(_ route: RoutingTable.Route) -> String? {
        if case .endpoints(let list, _, _) = route { return list.first }
        return nil
    }

    @Test func pathsByElementAndLongestMatch() {
        let table = RoutingTable(ingresses: [main], services: services)
        #expect(endpoint(table.route(host: "hello.local", target: "/api")) == "10.0.0.1:8080")
        #expect(endpoint(table.route(host: "hello.local:80", target: "/api/users?x=1")) == "10.0.0.1:8080")
        #expect(endpoint(table.route(host: "HELLO.local", target: "/web/index.html")) == "10.0.0.2:9000")
        // Exact is longer than /api here; /api/exact/more is only the Prefix.
        #expect(endpoint(table.route(host: "hello.local", target: "/api/exact")) == "10.0.0.2:9000")
        #expect(endpoint(table.route(host: "hello.local", target: "/api/exact/more")) == "10.0.0.1:8080")
        // /apis is not under /api: the default backend.
        #expect(endpoint(table.route(host: "hello.local", target: "/apis")) == "10.0.0.3:80")
    }

    @Test func hostsExactAndOneLabelWildcard() {
        let table = RoutingTable(ingresses: [main], services: services)
        #expect(endpoint(table.route(host: "foo.example.com", target: "/x")) == "10.0.0.2:9000")
        #expect(endpoint(table.route(host: "a.b.example.com", target: "/x")) == "10.0.0.3:80")
        #expect(endpoint(table.route(host: "example.com", target: "/x")) == "10.0.0.3:80")
        #expect(endpoint(table.route(host: "elsewhere", target: "/api")) == "10.0.0.3:80")
        #expect(HostPattern.matches("*.example.com", "Bar.Example.com"))
        #expect(!HostPattern.matches("*.example.com", "barexample.com"))
    }

    @Test func noEndpointsIsUnavailableAndNoRuleIsNotFound() {
        var spec = main
        spec.defaultBackend = nil
        let table = RoutingTable(ingresses: [spec], services: services)
        #expect(table.route(host: "hello.local", target: "/down/x") == .unavailable(ingress: "default/main", service: "default/empty"))
        #expect(table.route(host: "nowhere", target: "/") == .notFound)
        // A backend naming a Service that does not exist has no endpoints either.
        let missing = ingress("""
        {"metadata": {"name": "m", "namespace": "default"}, "spec": {"defaultBackend": {"service": {"name": "gone", "port": {"number": 1}}}}}
        """)
        #expect(RoutingTable(ingresses: [missing], services: services).route(host: "x", target: "/") == .unavailable(ingress: "default/m", service: "default/gone"))
    }

    @Test func hostlessRulesAndOtherClasses() {
        let catchAll = ingress("""
        {"metadata": {"name": "all", "namespace": "default"}, "spec": {"rules": [{"http": {"paths": [
          {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]}}
        """)
        var foreign = ingress("""
        {"metadata": {"name": "aaa", "namespace": "default"}, "spec": {"ingressClassName": "nginx", "rules": [{"http": {"paths": [
          {"path": "/", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {"number": 8000}}}}]}}]}}
        """)
        #expect(!foreign.isOurs)
        let table = RoutingTable(ingresses: [foreign, catchAll], services: services)
        #expect(endpoint(table.route(host: "any", target: "/")) == "10.0.0.1:8080")
        foreign.className = "swiftlet"
        #expect(endpoint(RoutingTable(ingresses: [foreign, catchAll], services: services).route(host: "any", target: "/")) == "10.0.0.2:9000")
    }

    @Test func badIngressNamesItsField() {
        let bad = JSONValue.parse(Data("""
        {"metadata": {"name": "broken", "namespace": "team"}, "spec": {"rules": [{"host": "ok.local", "http": {"paths": [
          {"path": "/", "pathType": "Fuzzy", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]}}
        """.utf8))!
        guard case .failure(let error) = IngressSpec.parse(bad) else { Issue.record("parsed"); return }
        #expect(error.description == "Ingress team/broken: spec.rules[0].http.paths[0].pathType: must be Exact, Prefix or ImplementationSpecific, not \"Fuzzy\"")
        let noPort = JSONValue.parse(Data("""
        {"metadata": {"name": "p"}, "spec": {"defaultBackend": {"service": {"name": "api", "port": {}}}}}
        """.utf8))!
        guard case .failure(let portError) = IngressSpec.parse(noPort) else { Issue.record("parsed"); return }
        #expect(portError.field == "spec.defaultBackend.service.port")
    }

    @Test func certificatesBySNI() {
        var spec = main
        spec.tls = [IngressSpec.TLS(hosts: ["hello.local", "*.example.com"], secretName: "hello-tls"),
                    IngressSpec.TLS(hosts: ["nope.local"], secretName: "missing")]
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        let key = "-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n"
        let secret: JSONValue = ["data": ["tls.crt": .string(Data(pem.utf8).base64EncodedString()), "tls.key": .string(Data(key.utf8).base64EncodedString())]]
        let (certificates, errors) = TLSCertificates.build(ingresses: [spec]) { namespace, name in
            namespace == "default" && name == "hello-tls" ? secret : nil
        }
        #expect(certificates.certificate(for: "hello.local")?.certificatePEM == pem)
        #expect(certificates.certificate(for: "x.example.com")?.keyPEM == key)
        #expect(certificates.certificate(for: "other.local") == nil)
        #expect(errors.map(\.description) == ["Ingress default/main: spec.tls[1].secretName: Secret \"missing\" not found"])
    }
}
