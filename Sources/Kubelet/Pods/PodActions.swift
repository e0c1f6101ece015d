import Foundation
import KubeAPI

extension RestartPolicy {
    /// Whether a container that exited with `exitCode` runs again.
    public func restarts(exitCode: Int32) -> Bool {
        switch self {
        case .always: return true
        case .onFailure: return exitCode != 0
        default: return false
        }
    }
}

/// One observed instance of a container: the latest of its attempts.
public struct ContainerObservation: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case running(startedAt: Date)
        case exited(ExitRecord, startedAt: Date?)
    }

    public var id: String
    public var name: String
    public var attempt: Int
    public var state: State

    public init(id: String, name: String, attempt: Int, state: State) {
        self.id = id
        self.name = name
        self.attempt = attempt
        self.state = state
    }

    public var exitCode: Int32? {
        if case .exited(let record, _) = state { return record.exitCode }
        return nil
    }
    public var isRunning: Bool {
        if case .running = state { return true }
        return false
    }
}

/// What a pod worker must do next, decided from the spec and what runs (upstream's
/// `computePodActions`). Pure: the worker supplies observations, back-offs and the clock.
public struct PodActions: Sendable, Equatable {
    public struct Start: Sendable, Equatable {
        public var name: String
        public var attempt: Int
        public var isInit: Bool
    }

    /// Containers to start now (at most one init container).
    public var start: [Start] = []
    /// Running containers to stop, with the reason (e.g. a failed liveness probe).
    public var kill: [(id: String, name: String, reason: String)] = []
    /// Containers waiting for their back-off to pass.
    public var backingOff: Set<String> = []
    /// Set when the pod has reached a terminal phase: nothing runs, nothing will.
    public var finished: PodPhaseDecision?

    public static func == (a: PodActions, b: PodActions) -> Bool {
        a.start == b.start && a.backingOff == b.backingOff && a.finished == b.finished
            && a.kill.map { "\($0.id)/\($0.reason)" } == b.kill.map { "\($0.id)/\($0.reason)" }
    }
}

/// A terminal pod phase.
public enum PodPhaseDecision: String, Sendable, Equatable {
    case succeeded = "Succeeded", failed = "Failed"
}

/// The inputs of one decision.
public struct PodSyncInput: Sendable {
    public var restartPolicy: RestartPolicy
    public var initContainers: [String]
    public var containers: [String]
    /// The latest instance of each container by name (init and app containers).
    public var observed: [String: ContainerObservation]
    public var backOffs: [String: CrashLoopBackOff]
    /// Running containers whose liveness (or startup) probe has failed.
    public var unhealthy: Set<String>
    public var now: Date

    public init(
        restartPolicy: RestartPolicy, initContainers: [String], containers: [String],
        observed: [String: ContainerObservation], backOffs: [String: CrashLoopBackOff] = [:],
        unhealthy: Set<String> = [], now: Date
    ) {
        self.restartPolicy = restartPolicy
        self.initContainers = initContainers
        self.containers = containers
        self.observed = observed
        self.backOffs = backOffs
        self.unhealthy = unhealthy
        self.now = now
    }
}

extension PodActions {
    /// Decides the next actions, as the kubelet does: init containers one at a time and in
    /// order, each to success (a failed one restarts unless the policy is Never, which
    /// fails the pod); then every app container, restarted by policy after its back-off.
    public static func compute(_ input: PodSyncInput) -> PodActions {
        var actions = PodActions()
        // Init containers: find the first one that has not succeeded.
        for name in input.initContainers {
            guard let instance = input.observed[name] else {
                actions.start.append(Start(name: name, attempt: 0, isInit: true))
                return actions
            }
            switch instance.state {
            case .running:
                return actions
            case .exited(let record, _):
                if record.exitCode == 0 { continue }
                // Init containers restart under Always and OnFailure alike.
                if input.restartPolicy == .never {
                    actions.finished = .failed
                    return actions
                }
                restart(instance, isInit: true, input: input, into: &actions)
                return actions
            }
        }
        var allExited = true
        var anyFailed = false
        for name in input.containers {
            guard let instance = input.observed[name] else {
                actions.start.append(Start(name: name, attempt: 0, isInit: false))
                allExited = false
                continue
            }
            switch instance.state {
            case .running:
                allExited = false
                if input.unhealthy.contains(name) {
                    actions.kill.append((instance.id, name, "Unhealthy"))
                }
            case .exited(let record, _):
                if input.restartPolicy.restarts(exitCode: record.exitCode) {
                    allExited = false
                    restart(instance, isInit: false, input: input, into: &actions)
                } else if record.exitCode != 0 {
                    anyFailed = true
                }
            }
        }
        if allExited && !input.containers.isEmpty {
            actions.finished = anyFailed ? .failed : .succeeded
        }
        return actions
    }

    private static func restart(_ instance: ContainerObservation, isInit: Bool, input: PodSyncInput, into actions: inout PodActions) {
        let backOff = input.backOffs[instance.name] ?? CrashLoopBackOff()
        if backOff.restartAllowed(at: input.now) {
            actions.start.append(Start(name: instance.name, attempt: instance.attempt + 1, isInit: isInit))
        } else {
            actions.backingOff.insert(instance.name)
        }
    }
}
