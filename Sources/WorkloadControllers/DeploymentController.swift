import Foundation
import KubeAPI

/// Annotation keys the Deployment controller writes, as upstream's `deploymentutil`.
public enum DeploymentAnnotation {
    public static let revision = "deployment.kubernetes.io/revision"
    public static let revisionHistory = "deployment.kubernetes.io/revision-history"
    public static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    public static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    public static let changeCause = "kubernetes.io/change-cause"
}

/// The Deployment controller: one ReplicaSet per template revision, scaled by the
/// RollingUpdate or Recreate strategy, old revisions pruned to `revisionHistoryLimit`.
/// One value per pass: it remembers the Progressing reason a sync wants on each
/// Deployment's condition until the status update after the ReplicaSet controller.
struct DeploymentController {
    let replicaSets: ReplicaSetController
    /// A Progressing reason and message a Deployment's sync wants on its condition, by uid.
    private var progressNote: [String: (reason: String, message: String)] = [:]

    init(replicaSets: ReplicaSetController) {
        self.replicaSets = replicaSets
    }

    /// Decides the ReplicaSets' sizes for one Deployment (before the ReplicaSet controller runs).
    mutating func sync<Random>(at index: Int, _ pass: inout WorkloadPass<Random>) {
        var d = pass.state.deployments[index]
        guard let uid = d.metadata.uid else { return }
        replicaSets.refreshStatus(ownedBy: uid, &pass)
        let replicas = d.spec.desiredReplicas
        let isRecreate = d.spec.strategy?.type == .recreate
        let (newRS, oldRSs) = splitReplicaSets(d, pass)
        syncRevision(&d, newRS: newRS, oldRSs: oldRSs, &pass)

        if d.spec.paused == true {
            // A paused Deployment only scales the revision it runs.
            let active = ([newRS].compactMap { $0 } + oldRSs).filter { ($0.spec.replicas ?? 0) > 0 }
            if let only = (newRS.map { [$0] } ?? (active.count == 1 ? active : [])).first, active.count <= 1 {
                scale(only, to: replicas, deployment: d, &pass)
            }
        } else if isRecreate {
            var scaledDown = false
            for rs in oldRSs where (rs.spec.replicas ?? 0) > 0 {
                scale(rs, to: 0, deployment: d, &pass)
                scaledDown = true
            }
            if !scaledDown && !oldPodsRunning(oldRSs, pass) {
                let target = newRS ?? createReplicaSet(&d, replicas: replicas, oldRSs: oldRSs, &pass)
                scale(target, to: replicas, deployment: d, &pass)
            }
        } else {
            let (maxSurge, maxUnavailable) = rollingBounds(d)
            let current: ReplicaSet
            if let newRS {
                reconcileNewReplicaSet(newRS, deployment: d, maxSurge: maxSurge, &pass)
                current = newRS
            } else {
                let running = oldRSs.reduce(0) { $0 + ($1.spec.replicas ?? 0) }
                let size = min(max(replicas + maxSurge - running, 0), replicas)
                current = createReplicaSet(&d, replicas: size, oldRSs: oldRSs, &pass)
            }
            reconcileOldReplicaSets(d, newRS: current, maxUnavailable: maxUnavailable, &pass)
        }
        cleanupOldReplicaSets(d, &pass)
        pass.state.deployments[index] = d
    }

    /// `(new, old)`: the ReplicaSet whose template is the Deployment's, and the others,
    /// oldest first.
    func splitReplicaSets<Random>(_ d: Deployment, _ pass: WorkloadPass<Random>) -> (ReplicaSet?, [ReplicaSet]) {
        let owned = pass.state.replicaSets.filter { $0.metadata.controllerUID == d.metadata.uid }
            .sorted { ($0.metadata.creationTimestamp?.date ?? .distantPast, $0.metadata.name ?? "")
                < ($1.metadata.creationTimestamp?.date ?? .distantPast, $1.metadata.name ?? "") }
        let new = owned.first { Self.templatesEqualIgnoringHash($0.spec.template, d.spec.template) }
        return (new, owned.filter { $0.metadata.uid != new?.metadata.uid })
    }

    static func templatesEqualIgnoringHash(_ rsTemplate: PodTemplateSpec?, _ template: PodTemplateSpec) -> Bool {
        guard var candidate = rsTemplate else { return false }
        func normalized(_ t: PodTemplateSpec) -> PodTemplateSpec {
            var t = t
            t.metadata?.labels?.removeValue(forKey: PodTemplateHash.label)
            if t.metadata?.labels?.isEmpty == true { t.metadata?.labels = nil }
            if t.metadata == ObjectMeta() { t.metadata = nil }
            return t
        }
        candidate = normalized(candidate)
        return candidate == normalized(template)
    }

    static func revision(_ rs: ReplicaSet) -> Int {
        Int(rs.metadata.annotations?[DeploymentAnnotation.revision] ?? "") ?? 0
    }

    /// The new ReplicaSet gets the next revision (also when an old template comes back) and
    /// the Deployment carries it.
    func syncRevision<Random>(_ d: inout Deployment, newRS: ReplicaSet?, oldRSs: [ReplicaSet], _ pass: inout WorkloadPass<Random>) {
        guard let newRS, let index = pass.state.replicaSets.firstIndex(where: { $0.metadata.uid == newRS.metadata.uid })
        else { return }
        let maxOld = oldRSs.map(Self.revision).max() ?? 0
        var rs = pass.state.replicaSets[index]
        let current = Self.revision(rs)
        if current <= maxOld {
            var annotations = rs.metadata.annotations ?? [:]
            if current > 0 {
                let history = annotations[DeploymentAnnotation.revisionHistory].map { $0 + "," } ?? ""
                annotations[DeploymentAnnotation.revisionHistory] = history + String(current)
            }
            annotations[DeploymentAnnotation.revision] = String(maxOld + 1)
            rs.metadata.annotations = annotations
        }
        if let cause = d.metadata.annotations?[DeploymentAnnotation.changeCause] {
            rs.metadata.annotations?[DeploymentAnnotation.changeCause] = cause
        }
        pass.state.replicaSets[index] = rs
        d.metadata.annotations = (d.metadata.annotations ?? [:]).merging(
            [DeploymentAnnotation.revision: String(Self.revision(rs))]) { $1 }
    }

    /// Creates the ReplicaSet `<deployment>-<pod-template-hash>` for the current template.
    mutating func createReplicaSet<Random>(_ d: inout Deployment, replicas: Int, oldRSs: [ReplicaSet], _ pass: inout WorkloadPass<Random>) -> ReplicaSet {
        let namespace = d.metadata.namespaceOrDefault
        let name = d.metadata.name ?? ""
        var collisionCount = d.status?.collisionCount
        var hash = PodTemplateHash.of(d.spec.template, collisionCount: collisionCount)
        while pass.state.replicaSets.contains(where: {
            $0.metadata.namespace == namespace && $0.metadata.name == "\(name)-\(hash)"
        }) {
            collisionCount = (collisionCount ?? 0) + 1
            hash = PodTemplateHash.of(d.spec.template, collisionCount: collisionCount)
        }
        if collisionCount != nil {
            var status = d.status ?? DeploymentStatus()
            status.collisionCount = collisionCount
            d.status = status
        }
        var template = d.spec.template
        var templateMeta = template.metadata ?? ObjectMeta()
        templateMeta.labels = (templateMeta.labels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        template.metadata = templateMeta
        var selector = d.spec.selector ?? LabelSelector(matchLabels: d.spec.template.metadata?.labels)
        selector.matchLabels = (selector.matchLabels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        let revision = (oldRSs.map(Self.revision).max() ?? 0) + 1
        var annotations = d.metadata.annotations ?? [:]
        annotations.removeValue(forKey: "kubectl.kubernetes.io/last-applied-configuration")
        annotations[DeploymentAnnotation.revision] = String(revision)
        annotations[DeploymentAnnotation.desiredReplicas] = String(d.spec.desiredReplicas)
        annotations[DeploymentAnnotation.maxReplicas] = String(d.spec.desiredReplicas + rollingBounds(d).maxSurge)
        let rs = ReplicaSet(
            metadata: ObjectMeta(
                name: "\(name)-\(hash)", namespace: namespace, uid: pass.newUID(), generation: 1,
                creationTimestamp: pass.nowTime, labels: templateMeta.labels, annotations: annotations,
                ownerReferences: [
                    OwnerReference(
                        apiVersion: "apps/v1", kind: "Deployment", name: name,
                        uid: d.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
                ]),
            spec: ReplicaSetSpec(
                replicas: replicas, minReadySeconds: d.spec.minReadySeconds, selector: selector, template: template),
            status: ReplicaSetStatus(replicas: 0, observedGeneration: 1))
        pass.state.replicaSets.append(rs)
        d.metadata.annotations = (d.metadata.annotations ?? [:]).merging(
            [DeploymentAnnotation.revision: String(revision)]) { $1 }
        if replicas > 0 {
            pass.record("Deployment", d.metadata, "ScalingReplicaSet", "Scaled up replica set \(name)-\(hash) from 0 to \(replicas)")
        }
        if let uid = d.metadata.uid {
            progressNote[uid] = ("NewReplicaSetCreated", "Created new replica set \"\(name)-\(hash)\"")
        }
        return rs
    }

    /// Sets a ReplicaSet's replicas (and the desired/max annotations) with the upstream event.
    func scale<Random>(_ replicaSet: ReplicaSet, to replicas: Int, deployment d: Deployment, _ pass: inout WorkloadPass<Random>) {
        guard let uid = replicaSet.metadata.uid,
              let index = pass.state.replicaSets.firstIndex(where: { $0.metadata.uid == uid }) else { return }
        var rs = pass.state.replicaSets[index]
        let from = rs.spec.replicas ?? 0
        rs.spec.replicas = replicas
        rs.metadata.annotations = (rs.metadata.annotations ?? [:]).merging([
            DeploymentAnnotation.desiredReplicas: String(d.spec.desiredReplicas),
            DeploymentAnnotation.maxReplicas: String(d.spec.desiredReplicas + rollingBounds(d).maxSurge),
        ]) { $1 }
        if rs.spec.minReadySeconds != d.spec.minReadySeconds { rs.spec.minReadySeconds = d.spec.minReadySeconds }
        pass.state.replicaSets[index] = rs
        if from != replicas {
            let direction = replicas > from ? "up" : "down"
            pass.record("Deployment", d.metadata, "ScalingReplicaSet",
                "Scaled \(direction) replica set \(rs.metadata.name ?? "") from \(from) to \(replicas)")
        }
    }

    /// `(maxSurge, maxUnavailable)` as upstream's `ResolveFenceposts`: surge rounds up,
    /// unavailable down, and both zero means one may be unavailable. Recreate has none.
    func rollingBounds(_ d: Deployment) -> (maxSurge: Int, maxUnavailable: Int) {
        guard d.spec.strategy?.type != .recreate else { return (0, 0) }
        let replicas = d.spec.desiredReplicas
        let rolling = d.spec.strategy?.rollingUpdate
        let surge = (rolling?.maxSurge ?? "25%").scaledValue(total: replicas, roundUp: true) ?? 0
        let unavailable = (rolling?.maxUnavailable ?? "25%").scaledValue(total: replicas, roundUp: false) ?? 0
        if surge == 0 && unavailable == 0 { return (0, 1) }
        return (surge, unavailable)
    }

    /// Upstream's `MaxUnavailable` for the Available condition: never above replicas.
    func maxUnavailable(_ d: Deployment) -> Int {
        let replicas = d.spec.desiredReplicas
        guard d.spec.strategy?.type != .recreate, replicas > 0 else { return 0 }
        return min(rollingBounds(d).maxUnavailable, replicas)
    }

    /// Upstream `reconcileNewReplicaSet` / `NewRSNewReplicas`: grow the new ReplicaSet while
    /// the total stays within replicas + maxSurge.
    func reconcileNewReplicaSet<Random>(_ newRS: ReplicaSet, deployment d: Deployment, maxSurge: Int, _ pass: inout WorkloadPass<Random>) {
        let replicas = d.spec.desiredReplicas
        let current = newRS.spec.replicas ?? 0
        if current == replicas { return scale(newRS, to: current, deployment: d, &pass) }
        if current > replicas { return scale(newRS, to: replicas, deployment: d, &pass) }
        let total = pass.state.replicaSets.filter { $0.metadata.controllerUID == d.metadata.uid }
            .reduce(0) { $0 + ($1.spec.replicas ?? 0) }
        let maxTotal = replicas + maxSurge
        guard total < maxTotal else { return }
        scale(newRS, to: current + min(maxTotal - total, replicas - current), deployment: d, &pass)
    }

    /// Upstream `reconcileOldReplicaSets`: first drop old pods that are not available, then
    /// old available ones while available pods stay at least replicas − maxUnavailable.
    func reconcileOldReplicaSets<Random>(_ d: Deployment, newRS: ReplicaSet, maxUnavailable: Int, _ pass: inout WorkloadPass<Random>) {
        guard let newUID = newRS.metadata.uid else { return }
        func owned() -> [ReplicaSet] { pass.state.replicaSets.filter { $0.metadata.controllerUID == d.metadata.uid } }
        func old() -> [ReplicaSet] { owned().filter { $0.metadata.uid != newUID } }
        guard old().contains(where: { ($0.spec.replicas ?? 0) > 0 }) else { return }
        let replicas = d.spec.desiredReplicas
        let minAvailable = replicas - maxUnavailable
        guard let newRS = pass.state.replicaSets.first(where: { $0.metadata.uid == newUID }) else { return }
        let newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0)
        let allPods = owned().reduce(0) { $0 + ($1.spec.replicas ?? 0) }
        let maxScaledDown = allPods - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return }

        var cleaned = 0
        for rs in old() where cleaned < maxScaledDown && (rs.spec.replicas ?? 0) > 0 {
            let unhealthy = (rs.spec.replicas ?? 0) - (rs.status?.availableReplicas ?? 0)
            guard unhealthy > 0 else { continue }
            let down = min(maxScaledDown - cleaned, unhealthy)
            scale(rs, to: (rs.spec.replicas ?? 0) - down, deployment: d, &pass)
            cleaned += down
        }

        let available = owned().reduce(0) { $0 + min($1.status?.availableReplicas ?? 0, $1.spec.replicas ?? 0) }
        guard available > minAvailable else { return }
        var budget = available - minAvailable
        for rs in old() where budget > 0 && (rs.spec.replicas ?? 0) > 0 {
            let down = min(rs.spec.replicas ?? 0, budget)
            scale(rs, to: (rs.spec.replicas ?? 0) - down, deployment: d, &pass)
            budget -= down
        }
    }

    /// Whether any pod of an old ReplicaSet may still run (Recreate waits for them to go).
    func oldPodsRunning<Random>(_ oldRSs: [ReplicaSet], _ pass: WorkloadPass<Random>) -> Bool {
        let uids = Set(oldRSs.compactMap(\.metadata.uid))
        if pass.state.pods.contains(where: { uids.contains($0.controllerUID ?? "") && !pass.isTerminal($0) }) { return true }
        return pass.observed.values.contains { pod in
            guard uids.contains(pod.controllerUID ?? "") else { return false }
            let phase = pod.status?.phase
            return phase != .succeeded && phase != .failed
        }
    }

    /// Deletes old ReplicaSets at zero replicas beyond `revisionHistoryLimit`, oldest revision first.
    func cleanupOldReplicaSets<Random>(_ d: Deployment, _ pass: inout WorkloadPass<Random>) {
        let (newRS, oldRSs) = splitReplicaSets(d, pass)
        let limit = d.spec.historyLimit
        let cleanable = oldRSs.filter { $0.metadata.uid != newRS?.metadata.uid }.sorted { Self.revision($0) < Self.revision($1) }
        guard cleanable.count > limit else { return }
        for rs in cleanable.prefix(cleanable.count - limit) {
            guard let uid = rs.metadata.uid, (rs.spec.replicas ?? 0) == 0, !pass.state.pods.contains(where: { $0.controllerUID == uid }) else { continue }
            pass.state.replicaSets.removeAll { $0.metadata.uid == uid }
        }
    }

    /// Status and conditions from the ReplicaSets after their controller ran.
    func updateStatus<Random>(at index: Int, _ pass: inout WorkloadPass<Random>) {
        var d = pass.state.deployments[index]
        let (newRS, oldRSs) = splitReplicaSets(d, pass)
        let all = [newRS].compactMap { $0 } + oldRSs
        let previous = d.status ?? DeploymentStatus()
        let replicas = d.spec.desiredReplicas
        var status = DeploymentStatus(
            observedGeneration: d.metadata.generation,
            replicas: all.reduce(0) { $0 + ($1.status?.replicas ?? 0) },
            updatedReplicas: newRS?.status?.replicas ?? 0,
            readyReplicas: all.reduce(0) { $0 + ($1.status?.readyReplicas ?? 0) },
            availableReplicas: all.reduce(0) { $0 + ($1.status?.availableReplicas ?? 0) },
            conditions: previous.conditions,
            collisionCount: previous.collisionCount)
        status.unavailableReplicas = max(replicas - (status.availableReplicas ?? 0), 0)
        let terminating = pass.observed.values.filter { pod in
            all.contains { $0.metadata.uid == pod.controllerUID }
                && !pass.state.pods.contains { $0.metadata.uid == pod.metadata.uid }
                && pod.status?.phase != .succeeded && pod.status?.phase != .failed
        }.count
        status.terminatingReplicas = terminating > 0 ? terminating : nil

        if (status.availableReplicas ?? 0) >= replicas - maxUnavailable(d) {
            setCondition(&status, at: pass.nowTime, "Available", .true, "MinimumReplicasAvailable", "Deployment has minimum availability.")
        } else {
            setCondition(&status, at: pass.nowTime, "Available", .false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
        }
        syncProgressing(d, previous: previous, status: &status, newRS: newRS, &pass)
        d.status = status
        pass.state.deployments[index] = d
    }

    static func isComplete(_ d: Deployment, _ status: DeploymentStatus) -> Bool {
        let replicas = d.spec.desiredReplicas
        return status.updatedReplicas == replicas && status.replicas == replicas
            && status.availableReplicas == replicas && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
    }

    /// Upstream `syncRolloutStatus` for the Progressing condition.
    func syncProgressing<Random>(_ d: Deployment, previous: DeploymentStatus, status: inout DeploymentStatus, newRS: ReplicaSet?, _ pass: inout WorkloadPass<Random>) {
        let current = status.conditions?.first { $0.type == "Progressing" }
        if let uid = d.metadata.uid, let (reason, message) = progressNote[uid] {
            setCondition(&status, at: pass.nowTime, "Progressing", .true, reason, message)
        } else if current == nil, let newRS {
            setCondition(&status, at: pass.nowTime, "Progressing", .true, "FoundNewReplicaSet", "Found new replica set \"\(newRS.metadata.name ?? "")\"")
        }
        let name = newRS?.metadata.name.map { "ReplicaSet \"\($0)\"" } ?? "Deployment \"\(d.metadata.name ?? "")\""
        let isCompleteAlready = status.replicas == status.updatedReplicas && current?.reason == "NewReplicaSetAvailable"
        if d.spec.paused == true || isCompleteAlready { return }
        let progressed = (status.updatedReplicas ?? 0) > (previous.updatedReplicas ?? 0)
            || (status.replicas ?? 0) - (status.updatedReplicas ?? 0) < (previous.replicas ?? 0) - (previous.updatedReplicas ?? 0)
            || (status.readyReplicas ?? 0) > (previous.readyReplicas ?? 0)
            || (status.availableReplicas ?? 0) > (previous.availableReplicas ?? 0)
        if Self.isComplete(d, status) {
            setCondition(&status, at: pass.nowTime, "Progressing", .true, "NewReplicaSetAvailable", "\(name) has successfully progressed.", force: true)
        } else if progressed {
            setCondition(&status, at: pass.nowTime, "Progressing", .true, "ReplicaSetUpdated", "\(name) is progressing.", force: true)
        } else if let cond = status.conditions?.first(where: { $0.type == "Progressing" }), cond.reason != "ProgressDeadlineExceeded",
            let deadline = d.spec.progressDeadlineSeconds,
            let since = cond.lastUpdateTime?.date, since.addingTimeInterval(TimeInterval(deadline)) < pass.now
        {
            setCondition(&status, at: pass.nowTime, "Progressing", .false, "ProgressDeadlineExceeded", "\(name) has timed out progressing.")
            pass.record("Deployment", d.metadata, "ProgressDeadlineExceeded", "\(name) has timed out progressing.", warning: true)
        }
    }

    /// Upstream `SetDeploymentCondition`: the same status and reason leave the condition as is
    /// (unless `force`, which refreshes lastUpdateTime); a status change moves lastTransitionTime.
    func setCondition(
        _ status: inout DeploymentStatus, at time: KubeTime, _ type: String, _ value: ConditionStatus, _ reason: String, _ message: String,
        force: Bool = false
    ) {
        var conditions = status.conditions ?? []
        let existing = conditions.firstIndex { $0.type == type }
        if let existing, conditions[existing].status == value, conditions[existing].reason == reason, !force { return }
        var condition = WorkloadCondition(
            type: type, status: value, lastUpdateTime: time, lastTransitionTime: time, reason: reason, message: message)
        if let existing {
            if conditions[existing].status == value { condition.lastTransitionTime = conditions[existing].lastTransitionTime }
            conditions[existing] = condition
        } else {
            conditions.append(condition)
        }
        status.conditions = conditions
    }
}
