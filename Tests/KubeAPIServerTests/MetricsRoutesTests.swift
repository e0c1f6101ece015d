import APIStore
import Foundation
import Testing
@testable import KubeAPIServer

@Suite struct MetricsRoutesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func routes() -> MetricsRoutes {
        let routes = MetricsRoutes()
        routes.update(ResourceMetricsSnapshot(
            node: NodeUsage(name: "node1", timestamp: now, window: 15, cpuNanocores: 250_000_000, memoryBytes: 512 * 1024 * 1024),
            pods: [
                PodUsage(namespace: "default", name: "burner", labels: ["app": "burn"], timestamp: now, window: 15,
                         containers: [ContainerUsage(name: "busy", cpuNanocores: 990_123_456, memoryBytes: 2_097_152)]),
                PodUsage(namespace: "other", name: "idle", labels: [:], timestamp: now, window: 15,
                         containers: [ContainerUsage(name: "c", cpuNanocores: 0, memoryBytes: 4096)]),
            ]))
        return routes
    }

    func get(_ path: String) throws -> JSONValue? {
        let response = try routes().handle(APIRequest(method: "GET", uri: path, headers: [:], body: Data()))
        return response.flatMap { JSONValue.parse($0.body) }
    }

    @Test func podMetricsInMetricsServerUnits() throws {
        let list = try #require(try get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"))
        #expect(list["kind"] == "PodMetricsList")
        let items = list["items"]?.arrayValue ?? []
        #expect(items.count == 1)
        #expect(items.first?[path: ["metadata", "name"]] == "burner")
        #expect(items.first?["window"] == "15s")
        let usage = items.first?["containers"]?.arrayValue?.first?["usage"]
        #expect(usage?["cpu"] == "990123456n" && usage?["memory"] == "2048Ki")
    }

    @Test func allNamespacesSelectorsAndGet() throws {
        #expect(try get("/apis/metrics.k8s.io/v1beta1/pods")?["items"]?.arrayValue?.count == 2)
        #expect(try get("/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dburn")?["items"]?.arrayValue?.count == 1)
        #expect(try get("/apis/metrics.k8s.io/v1beta1/namespaces/other/pods/idle")?["kind"] == "PodMetrics")
        #expect(throws: StatusError.self) { try get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle") }
    }

    @Test func nodeMetrics() throws {
        let node = try #require(try get("/apis/metrics.k8s.io/v1beta1/nodes/node1"))
        #expect(node["kind"] == "NodeMetrics")
        #expect(node[path: ["usage", "cpu"]] == "250000000n" && node[path: ["usage", "memory"]] == "524288Ki")
        #expect(try get("/apis/metrics.k8s.io/v1beta1/nodes")?["items"]?.arrayValue?.count == 1)
    }

    @Test func discoveryListsTheGroup() throws {
        let resources = try #require(try get("/apis/metrics.k8s.io/v1beta1"))
        let names = resources["resources"]?.arrayValue?.compactMap { $0["name"]?.string }
        #expect(names == ["nodes", "pods"])
        let groups = Discovery.groupList()["groups"]?.arrayValue?.compactMap { $0["name"]?.string } ?? []
        #expect(groups.contains("metrics.k8s.io"))
        #expect(try get("/apis/apps/v1") == nil)
    }

    @Test func hpaTargetsCell() {
        let hpa: JSONValue = [
            "spec": ["metrics": [
                ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]],
                ["type": "Resource", "resource": ["name": "memory", "target": ["type": "AverageValue", "averageValue": "100Mi"]]],
            ]],
            "status": ["currentMetrics": [
                ["type": "Resource", "resource": ["name": "cpu", "current": ["averageUtilization": 73, "averageValue": "365m"]]],
                ["type": ""],
            ]],
        ]
        #expect(TableConverter.hpaTargets(hpa) == "cpu: 73%/50%, memory: <unknown>/100Mi")
        #expect(TableConverter.hpaTargets(["spec": [:]]) == "<none>")
    }
}
