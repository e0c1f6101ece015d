import APIStore
import Foundation
import Testing
@testable import KubeAPIServer

@Suite struct PatchTests {
    let deployment: JSONValue = [
        "spec": ["replicas": 3, "template": ["spec": ["containers": [
            ["name": "web", "image": "nginx:1", "env": [["name": "A", "value": "1"]]],
            ["name": "sidecar", "image": "busybox"],
        ]]]],
    ]

    @Test func strategicMergeMergesContainersByName() {
        let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "web", "image": "nginx:2"]]]]]]
        let result = StrategicMergePatch.apply(patch, to: deployment)
        let containers = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        #expect(containers.count == 2)
        #expect(containers[0]["image"] == "nginx:2" && containers[0]["env"] != nil)
        #expect(containers[1]["name"] == "sidecar")
    }

    @Test func strategicMergeDirectives() {
        let patch: JSONValue = ["spec": ["replicas": .null, "template": ["spec": [
            "$setElementOrder/containers": [["name": "sidecar"], ["name": "web"]],
            "containers": [["name": "web", "$patch": "delete"], ["name": "new", "image": "x"]],
        ]]]]
        let result = StrategicMergePatch.apply(patch, to: deployment)
        #expect(result[path: ["spec", "replicas"]] == nil)
        let names = (result[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.string }
        #expect(names == ["sidecar", "new"])
    }

    @Test func mergePatchReplacesListsAndNullDeletes() {
        let patch: JSONValue = ["spec": ["replicas": 5, "template": ["spec": ["containers": [["name": "only"]]]]]]
        let result = MergePatch.apply(patch, to: deployment)
        #expect(result[path: ["spec", "replicas"]] == 5)
        #expect(result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.count == 1)
        #expect(MergePatch.apply(["spec": .null], to: deployment)["spec"] == nil)
    }

    @Test func jsonPatchOperationsAndFailures() throws {
        let patch: JSONValue = [
            ["op": "replace", "path": "/spec/replicas", "value": 1],
            ["op": "add", "path": "/spec/template/spec/containers/-", "value": ["name": "third"]],
            ["op": "remove", "path": "/spec/template/spec/containers/1"],
            ["op": "test", "path": "/spec/replicas", "value": 1],
        ]
        let result = try JSONPatch.apply(patch, to: deployment)
        #expect(result[path: ["spec", "replicas"]] == 1)
        let names = (result[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.string }
        #expect(names == ["web", "third"])
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply([["op": "replace", "path": "/nope/x", "value": 1]], to: deployment) }
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply([["op": "test", "path": "/spec/replicas", "value": 9]], to: deployment) }
    }
}

@Suite struct SelectorQueryTests {
    @Test func labelAndFieldSelectors() throws {
        let pod: JSONValue = ["metadata": ["name": "web", "labels": ["app": "web", "tier": "front"]], "status": ["phase": "Running"]]
        #expect(try SelectorQuery.parse("app=web,tier in (front, back),!gone").matchesLabels(of: pod))
        #expect(try !SelectorQuery.parse("app!=web").matchesLabels(of: pod))
        #expect(try !SelectorQuery.parse("tier notin (front)").matchesLabels(of: pod))
        #expect(try SelectorQuery.parse("metadata.name=web,status.phase==Running").matchesFields(of: pod))
        #expect(try !SelectorQuery.parse("spec.nodeName=node1").matchesFields(of: pod))
        #expect(throws: SelectorQuery.ParseError.self) { try SelectorQuery.parse("a b") }
    }
}
