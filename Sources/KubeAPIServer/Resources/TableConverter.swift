import APIStore
import Foundation
import KubeAPI
import KubePrinting

/// `meta.k8s.io/v1` Tables, as kubectl asks for them (`Accept: …;as=Table`): the columns
/// upstream's printers give each kind (priority 1 only under `-o wide`), cells from the
/// same printers `swiftlet get` uses, and each row's object as PartialObjectMetadata.
enum TableConverter {
    struct Column {
        var name: String
        var type = "string"
        var priority = 0
    }

    static func table(_ objects: [JSONValue], type: ResourceType, revision: UInt64?, includeObject: String?, now: Date = Date()) -> JSONValue {
        let columns = self.columns(type)
        let definitions: [JSONValue] = columns.map { column in
            .object([
                "name": .string(column.name), "type": .string(column.type), "format": column.name == "Name" ? "name" : "",
                "description": "", "priority": .int(Int64(column.priority)),
            ])
        }
        let rows: [JSONValue] = objects.map { object in
            var row: [String: JSONValue] = ["cells": .array(cells(object, type: type, now: now).map { .string($0) })]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = object
            default:
                row["object"] = .object([
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? .object([:]),
                ])
            }
            return .object(row)
        }
        var metadata: [String: JSONValue] = [:]
        if let revision { metadata["resourceVersion"] = .string(String(revision)) }
        return .object([
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": .array(definitions), "rows": .array(rows),
        ])
    }

    static func columns(_ type: ResourceType) -> [Column] {
        func named(_ names: [String], priority: Int = 0) -> [Column] { names.map { Column(name: $0, priority: priority) } }
        switch type.kind {
        case "Pod":
            return named(["Name", "Ready", "Status", "Restarts", "Age"]) + named(["IP", "Node", "Nominated Node", "Readiness Gates"], priority: 1)
        case "Node":
            return named(["Name", "Status", "Roles", "Age", "Version"])
                + named(["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"], priority: 1)
        case "Event":
            return named(["Last Seen", "Type", "Reason", "Object", "Message"])
        case "ServiceAccount":
            return named(["Name", "Secrets", "Age"])
        case "EndpointSlice":
            return named(["Name", "AddressType", "Ports", "Endpoints", "Age"])
        case "Ingress":
            return named(["Name", "Class", "Hosts", "Address", "Ports", "Age"])
        case "IngressClass":
            return named(["Name", "Controller", "Parameters", "Age"])
        case "HorizontalPodAutoscaler":
            return named(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"])
        default:
            return named(["Name"] + ObjectPrinter.columns(type.kind)) + named(ObjectPrinter.wideColumns(type.kind), priority: 1)
        }
    }

    static func cells(_ object: JSONValue, type: ResourceType, now: Date) -> [String] {
        let name = object[path: ["metadata", "name"]]?.string ?? ""
        let age = ageText(object[path: ["metadata", "creationTimestamp"]]?.string, now: now)
        let typed = try? object.decode(KubeObject.self)
        switch (type.kind, typed) {
        case ("Pod", .pod(let pod)?):
            let row = PodPrinter.row(pod, now: now)
            return [name, row.ready, row.status, row.restarts, row.age, pod.status?.podIP ?? "<none>", pod.spec.nodeName ?? "<none>", "<none>", "<none>"]
        case (_, let typed?):
            return [name] + ObjectPrinter.cells(typed, now: now) + ObjectPrinter.wideCells(typed)
        default:
            return untypedCells(object, type: type, name: name, age: age, now: now)
        }
    }

    private static func untypedCells(_ object: JSONValue, type: ResourceType, name: String, age: String, now: Date) -> [String] {
        func text(_ path: String) -> String? { object[path: path.split(separator: ".").map(String.init)]?.string }
        switch type.kind {
        case "Node":
            let ready = object[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.string == "Ready" }
            let status = ready?["status"]?.string == "True" ? "Ready" : "NotReady"
            let address = object[path: ["status", "addresses"]]?.arrayValue?.first { $0["type"]?.string == "InternalIP" }?["address"]?.string
            return [name, status, "control-plane", age, text("status.nodeInfo.kubeletVersion") ?? "",
                    address ?? "<none>", "<none>", text("status.nodeInfo.osImage") ?? "", text("status.nodeInfo.kernelVersion") ?? "",
                    text("status.nodeInfo.containerRuntimeVersion") ?? ""]
        case "Event":
            let last = text("lastTimestamp") ?? text("eventTime") ?? text("metadata.creationTimestamp")
            let involved = (text("involvedObject.kind")?.lowercased() ?? "") + "/" + (text("involvedObject.name") ?? "")
            return [ageText(last, now: now), text("type") ?? "", text("reason") ?? "", involved, text("message") ?? ""]
        case "ServiceAccount":
            return [name, String(object["secrets"]?.arrayValue?.count ?? 0), age]
        case "EndpointSlice":
            let ports = object["ports"]?.arrayValue?.compactMap { $0["port"]?.int.map(String.init) } ?? []
            let addresses = object["endpoints"]?.arrayValue?.flatMap { $0["addresses"]?.arrayValue?.compactMap(\.string) ?? [] } ?? []
            return [name, text("addressType") ?? "", ports.isEmpty ? "<unset>" : ports.joined(separator: ","),
                    addresses.isEmpty ? "<unset>" : addresses.joined(separator: ","), age]
        case "Ingress":
            let hosts = object[path: ["spec", "rules"]]?.arrayValue?.compactMap { $0["host"]?.string } ?? []
            let addresses = object[path: ["status", "loadBalancer", "ingress"]]?.arrayValue?.compactMap { $0["ip"]?.string } ?? []
            let tls = !(object[path: ["spec", "tls"]]?.arrayValue?.isEmpty ?? true)
            return [name, text("spec.ingressClassName") ?? "<none>", hosts.isEmpty ? "*" : hosts.joined(separator: ","),
                    addresses.joined(separator: ","), tls ? "80, 443" : "80", age]
        case "IngressClass":
            return [name, text("spec.controller") ?? "", text("spec.parameters.name") ?? "<none>", age]
        case "HorizontalPodAutoscaler":
            let reference = (text("spec.scaleTargetRef.kind") ?? "") + "/" + (text("spec.scaleTargetRef.name") ?? "")
            let minimum = object[path: ["spec", "minReplicas"]]?.int ?? 1
            let maximum = object[path: ["spec", "maxReplicas"]]?.int ?? 0
            let replicas = object[path: ["status", "currentReplicas"]]?.int ?? 0
            return [name, reference, hpaTargets(object), String(minimum), String(maximum), String(replicas), age]
        default:
            return [name] + Array(repeating: "", count: max(0, columns(type).count - 2)) + [age]
        }
    }

    /// kubectl's TARGETS of an HPA: `cpu: 73%/50%`, `memory: 12Mi/100Mi`, the current
    /// value `<unknown>` until the controller reports it; past two, `+ N more...`.
    static func hpaTargets(_ object: JSONValue) -> String {
        let specs = object[path: ["spec", "metrics"]]?.arrayValue ?? []
        let statuses = object[path: ["status", "currentMetrics"]]?.arrayValue ?? []
        guard !specs.isEmpty else { return "<none>" }
        var list: [String] = []
        for (index, metric) in specs.enumerated() {
            let type = metric["type"]?.string ?? ""
            let field = type.prefix(1).lowercased() + type.dropFirst()
            let source = metric[field] ?? [:]
            let status = index < statuses.count ? statuses[index][field] : nil
            let target = source["target"] ?? [:]
            let label = source["name"]?.string ?? source[path: ["metric", "name"]]?.string ?? type
            if type == "Resource" || type == "ContainerResource", target["averageValue"] == nil {
                let current = status?[path: ["current", "averageUtilization"]]?.int.map { "\($0)%" } ?? "<unknown>"
                let goal = target["averageUtilization"]?.int.map { "\($0)%" } ?? "<auto>"
                list.append("\(label): \(current)/\(goal)")
            } else {
                let key = target["averageValue"] != nil ? "averageValue" : "value"
                let current = status.map { quantityText($0[path: ["current", key]]) } ?? "<unknown>"
                list.append("\(label): \(current)/\(quantityText(target[key]))")
            }
        }
        return list.count > 2 ? list.prefix(2).joined(separator: ", ") + " + \(list.count - 2) more..." : list.joined(separator: ", ")
    }

    private static func quantityText(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        default: return "<unknown>"
        }
    }

    static func ageText(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let time = try? JSONValue.string(timestamp).decode(KubeTime.self) else { return "<unknown>" }
        return HumanDuration.format(now.timeIntervalSince(time.date))
    }
}
