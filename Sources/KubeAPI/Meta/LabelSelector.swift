/// A label query over objects (`metav1.LabelSelector`): all of `matchLabels` and all of
/// `matchExpressions` must hold. An empty selector matches every object.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether a set of labels satisfies this selector.
    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] where !requirement.matches(labels) { return false }
        return true
    }

    /// Whether the selector selects everything.
    public var isEmpty: Bool { (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty }
}

/// One `key operator values` clause of a label selector.
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    public var `operator`: LabelSelectorOperator
    public var values: [String]?

    public init(
        key: String,
        `operator`: LabelSelectorOperator,
        values: [String]? = nil
    ) {
        self.key = key
        self.`operator` = `operator`
        self.values = values
    }

    /// Whether a set of labels satisfies this clause, as upstream's `Requirement.Matches`.
    public func matches(_ labels: [String: String]) -> Bool {
        switch `operator` {
        case .in: return labels[key].map { (values ?? []).contains($0) } ?? false
        case .notIn: return labels[key].map { !(values ?? []).contains($0) } ?? true
        case .exists: return labels[key] != nil
        case .doesNotExist: return labels[key] == nil
        default: return false
        }
    }
}

/// The operator of a label selector requirement.
public struct LabelSelectorOperator: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let `in`: Self = "In"
    public static let notIn: Self = "NotIn"
    public static let exists: Self = "Exists"
    public static let doesNotExist: Self = "DoesNotExist"
    public static let supported: [Self] = [.in, .notIn, .exists, .doesNotExist]
}

extension Dictionary where Key == String, Value == String {
    /// Whether these labels carry every pair of a map selector (Service/ReplicationController
    /// style); an empty selector matches everything.
    public func matches(selector: [String: String]) -> Bool {
        selector.allSatisfy { self[$0.key] == $0.value }
    }
}
