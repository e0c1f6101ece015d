import Foundation

/// One pod of an HPA's target as the replica calculator sees it: its phase and readiness,
/// the sum of its containers' requests, and its latest usage sample (milli-units, as
/// upstream compares `MilliValue`s: millicores, millibytes).
struct AutoscalerPod: Equatable, Sendable {
    var name: String
    var phase: String
    var deleting: Bool = false
    var startTime: Date?
    /// The Ready condition: status and last transition; nil when the pod has none.
    var ready: (status: Bool, since: Date?)?
    /// Resource name → the sum of the containers' requests; a resource some container
    /// does not request is absent.
    var requests: [String: Int64] = [:]
    /// Resource name → the usage; absent when there is no sample of the pod yet.
    var usage: [String: Int64] = [:]
    var sampledAt: Date?
    var window: TimeInterval = 0

    static func == (lhs: AutoscalerPod, rhs: AutoscalerPod) -> Bool {
        lhs.name == rhs.name && lhs.phase == rhs.phase && lhs.deleting == rhs.deleting && lhs.startTime == rhs.startTime
            && lhs.ready?.status == rhs.ready?.status && lhs.ready?.since == rhs.ready?.since && lhs.requests == rhs.requests
            && lhs.usage == rhs.usage && lhs.sampledAt == rhs.sampledAt && lhs.window == rhs.window
    }
}
