import Foundation
import KubeAPI

/// What the controllers of one pass share: the state they change, the observed pods, the
/// clock, the random source, and the events recorded so far. A value each controller is
/// handed `inout` in turn; the helpers here are the ones upstream's `controller` package
/// gives every controller (pod from template, active-pod ranking, readiness).
struct WorkloadPass<Random: RandomNumberGenerator> {
    var state: WorkloadState
    /// Observed pods (with status) by uid.
    let observed: [String: Pod]
    let deletedPods: Set<String>
    let nodeName: String
    let now: Date
    var random: Random
    var events: [WorkloadEvent] = []

    init(state: WorkloadState, observed: [Pod], deletedPods: Set<String>, nodeName: String, now: Date, random: Random) {
        self.state = state
        var byUID: [String: Pod] = [:]
        for pod in observed { if let uid = pod.metadata.uid { byUID[uid] = pod } }
        self.observed = byUID
        self.deletedPods = deletedPods
        self.nodeName = nodeName
        self.now = now
        self.random = random
    }

    var nowTime: KubeTime { KubeTime(truncating: now) }

    mutating func record(_ kind: String, _ meta: ObjectMeta, _ reason: String, _ message: String, warning: Bool = false) {
        events.append(
            WorkloadEvent(
                type: warning ? "Warning" : "Normal", kind: kind,
                namespace: meta.namespaceOrDefault, name: meta.name ?? "",
                reason: reason, message: message))
    }

    // MARK: identities

    /// A random RFC 4122 version-4 uid.
    mutating func newUID() -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String($0, radix: 16).leftPadded(2) }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }

    static var suffixAlphabet: [Character] { PodTemplateHash.alphabet }

    /// `prefix` plus five random characters of upstream's alphabet, unused in the namespace.
    mutating func generateName(_ prefix: String, namespace: String) -> String {
        while true {
            let suffix = String((0..<5).map { _ in Self.suffixAlphabet.randomElement(using: &random)! })
            let name = prefix + suffix
            if !state.pods.contains(where: { $0.metadata.name == name && $0.metadata.namespace == namespace }) {
                return name
            }
        }
    }

    /// A pod from a template as upstream's `GetPodFromTemplate`: template labels and
    /// annotations, a generated name, the controller reference, this node, defaults applied.
    mutating func makePod(
        template: PodTemplateSpec, namePrefix: String, namespace: String, owner: OwnerReference,
        extraLabels: [String: String] = [:]
    ) -> Pod {
        var labels = template.metadata?.labels ?? [:]
        for (key, value) in extraLabels { labels[key] = value }
        var spec = template.spec
        spec.nodeName = nodeName
        var pod = Pod(
            metadata: ObjectMeta(
                name: generateName(namePrefix, namespace: namespace), generateName: namePrefix,
                namespace: namespace, uid: newUID(), creationTimestamp: nowTime,
                labels: labels.isEmpty ? nil : labels, annotations: template.metadata?.annotations,
                ownerReferences: [owner]),
            spec: spec)
        pod.applyDefaults()
        return pod
    }

    // MARK: what was observed of a pod

    func status(of pod: Pod) -> PodStatus? {
        pod.metadata.uid.flatMap { observed[$0]?.status }
    }

    /// The observed phase; a pod not observed yet is Pending, one observed terminal before stays so.
    func phase(of pod: Pod) -> PodPhase {
        if let uid = pod.metadata.uid, let counted = state.countedPods[uid] { return counted }
        return status(of: pod)?.phase ?? .pending
    }

    func isTerminal(_ pod: Pod) -> Bool {
        let phase = phase(of: pod)
        return phase == .succeeded || phase == .failed
    }

    func isReady(_ pod: Pod) -> Bool {
        guard !isTerminal(pod) else { return false }
        return status(of: pod)?.conditions?.contains { $0.type == "Ready" && $0.status == .true } ?? false
    }

    /// When the pod last became Ready, if it is.
    func readySince(_ pod: Pod) -> Date? {
        guard isReady(pod) else { return nil }
        return status(of: pod)?.conditions?.first { $0.type == "Ready" }?.lastTransitionTime?.date
    }

    /// Ready for at least `minReadySeconds`, as upstream's `IsPodAvailable`.
    func isAvailable(_ pod: Pod, minReadySeconds: Int) -> Bool {
        guard isReady(pod) else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = readySince(pod) else { return false }
        return since.addingTimeInterval(TimeInterval(minReadySeconds)) < now
    }

    func restartCount(_ pod: Pod) -> Int {
        (status(of: pod)?.containerStatuses ?? []).reduce(0) { $0 + $1.restartCount }
    }

    /// Pods in the order upstream deletes them (`controller.ActivePods` ranking): pending before
    /// running, not ready before ready, lower deletion cost, ready for less time, more
    /// restarts, newer first.
    func deletionOrder(_ pods: [Pod]) -> [Pod] {
        func phaseRank(_ pod: Pod) -> Int {
            switch phase(of: pod) {
            case .pending: return 0
            case .running: return 2
            default: return 1
            }
        }
        func cost(_ pod: Pod) -> Int {
            Int(pod.metadata.annotations?["controller.kubernetes.io/pod-deletion-cost"] ?? "") ?? 0
        }
        return pods.sorted { a, b in
            if phaseRank(a) != phaseRank(b) { return phaseRank(a) < phaseRank(b) }
            if isReady(a) != isReady(b) { return !isReady(a) }
            if cost(a) != cost(b) { return cost(a) < cost(b) }
            if let ra = readySince(a), let rb = readySince(b), ra != rb { return ra > rb }
            if restartCount(a) != restartCount(b) { return restartCount(a) > restartCount(b) }
            let ca = a.metadata.creationTimestamp?.date ?? .distantPast
            let cb = b.metadata.creationTimestamp?.date ?? .distantPast
            if ca != cb { return ca > cb }
            return (a.metadata.name ?? "") > (b.metadata.name ?? "")
        }
    }

    /// Takes pods out of the desired list (the agent terminates them).
    mutating func removePods(uids: Set<String>) {
        guard !uids.isEmpty else { return }
        state.pods.removeAll { uids.contains($0.metadata.uid ?? "") }
    }
}

fileprivate extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
