/// The OCI lifecycle of a container, with every legal transition decided here (runc's
/// rules: a paused container can be killed, resumed, or deleted with force).
public enum ContainerStatus: String, Codable, Sendable {
    /// `create` is still setting it up.
    case creating
    /// Its init waits on the exec fifo for `start`.
    case created
    /// Its init exec'd the user's program and is alive.
    case running
    /// Its cgroup is frozen (`pause`); `resume` thaws it.
    case paused
    /// Its init has exited (or was never seen alive).
    case stopped

    public var canStart: Bool { self == .created }
    /// A paused init gets the signal too; SIGKILL also thaws it, as runc does, so it dies.
    public var canKill: Bool { self == .created || self == .running || self == .paused }
    public var canExec: Bool { self == .running }
    /// runc freezes created and running containers alike.
    public var canPause: Bool { self == .created || self == .running }
    public var canResume: Bool { self == .paused }
    /// A stopped container can always be deleted; a created one too (its init is killed,
    /// as runc does); a running or paused one only with force.
    public func canDelete(force: Bool) -> Bool {
        switch self {
        case .stopped, .created, .creating: return true
        case .running, .paused: return force
        }
    }
}
