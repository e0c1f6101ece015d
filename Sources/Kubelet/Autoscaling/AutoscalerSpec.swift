import APIStore
import Foundation
import KubeAPI

/// The parts of an `autoscaling/v2` HorizontalPodAutoscaler's spec the controller acts on,
/// read from the stored JSON with upstream's defaults.
struct AutoscalerSpec: Equatable {
    struct ResourceMetric: Equatable {
        var resource: String
        var target: ReplicaCalculator.Target
    }

    struct Policy: Equatable {
        /// `Pods` or `Percent`.
        var type: String
        var value: Int
        var periodSeconds: Int
    }

    struct Rules: Equatable {
        var stabilizationWindowSeconds: Int
        /// `Max`, `Min` or `Disabled`.
        var selectPolicy: String
        var policies: [Policy]
    }

    var targetKind: String
    var targetName: String
    var minReplicas: Int
    var maxReplicas: Int
    var metrics: [ResourceMetric]
    /// nil: no `behavior` (upstream's older rules apply: at most double, 5 min down window).
    var scaleUp: Rules?
    var scaleDown: Rules?

    static let defaultScaleUp = Rules(stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [
        Policy(type: "Pods", value: 4, periodSeconds: 15), Policy(type: "Percent", value: 100, periodSeconds: 15),
    ])
    static let defaultScaleDown = Rules(stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [
        Policy(type: "Percent", value: 100, periodSeconds: 15),
    ])

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads `spec`; throws naming the field for what the controller cannot act on.
    init(_ hpa: JSONValue) throws {
        let name = hpa[path: ["metadata", "name"]]?.string ?? ""
        func invalid(_ message: String) -> Invalid { Invalid(description: "HorizontalPodAutoscaler \(name): \(message)") }
        let spec = hpa["spec"] ?? [:]
        guard let kind = spec[path: ["scaleTargetRef", "kind"]]?.string, let target = spec[path: ["scaleTargetRef", "name"]]?.string else {
            throw invalid("spec.scaleTargetRef needs kind and name")
        }
        targetKind = kind
        targetName = target
        minReplicas = Int(spec["minReplicas"]?.int ?? 1)
        guard let max = spec["maxReplicas"]?.int else { throw invalid("spec.maxReplicas is required") }
        maxReplicas = Int(max)
        var metrics: [ResourceMetric] = []
        let items = spec["metrics"]?.arrayValue ?? [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]]
        for (index, item) in items.enumerated() {
            let field = "spec.metrics[\(index)]"
            guard item["type"]?.string == "Resource", let resource = item[path: ["resource", "name"]]?.string else {
                throw invalid("\(field).type: only Resource metrics are supported")
            }
            let target = item[path: ["resource", "target"]] ?? [:]
            switch target["type"]?.string {
            case "Utilization":
                guard let percent = target["averageUtilization"]?.int, percent > 0 else { throw invalid("\(field).resource.target.averageUtilization must be positive") }
                metrics.append(ResourceMetric(resource: resource, target: .utilization(percent)))
            case "AverageValue":
                guard let text = target["averageValue"]?.string ?? target["averageValue"]?.int.map({ String($0) }),
                      let quantity = try? Quantity(parsing: text) else { throw invalid("\(field).resource.target.averageValue must be a quantity") }
                metrics.append(ResourceMetric(resource: resource, target: .averageValue(quantity.milliValue)))
            default:
                throw invalid("\(field).resource.target.type must be Utilization or AverageValue")
            }
        }
        self.metrics = metrics
        if let behavior = spec["behavior"] {
            scaleUp = try Self.rules(behavior["scaleUp"], defaults: Self.defaultScaleUp, field: "spec.behavior.scaleUp", invalid: invalid)
            scaleDown = try Self.rules(behavior["scaleDown"], defaults: Self.defaultScaleDown, field: "spec.behavior.scaleDown", invalid: invalid)
        }
    }

    private static func rules(_ json: JSONValue?, defaults: Rules, field: String, invalid: (String) -> Invalid) throws -> Rules {
        guard let json, json.objectValue != nil else { return defaults }
        var rules = defaults
        if let window = json["stabilizationWindowSeconds"]?.int { rules.stabilizationWindowSeconds = Int(window) }
        if let select = json["selectPolicy"]?.string { rules.selectPolicy = select }
        if let policies = json["policies"]?.arrayValue {
            rules.policies = try policies.enumerated().map { index, policy in
                guard let type = policy["type"]?.string, ["Pods", "Percent"].contains(type),
                      let value = policy["value"]?.int, let period = policy["periodSeconds"]?.int else {
                    throw invalid("\(field).policies[\(index)] needs type Pods|Percent, value and periodSeconds")
                }
                return Policy(type: type, value: Int(value), periodSeconds: Int(period))
            }
        }
        return rules
    }
}
