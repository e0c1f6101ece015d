/// The OCI lifecycle of a container, with every legal transition decided here.
public enum ContainerStatus: String, Codable, Sendable {
    /// `create` is still setting it up.
    case creating
    /// Its init waits on the exec fifo for `start`.
    case created
    /// Its init exec'd the user's program and is alive.
    case running
    /// Its init has exited (or was never seen alive).
    case stopped

    public var canStart: Bool { self == .created }
    public var canKill: Bool { self == .created || self == .running }
    public var canExec: Bool { self == .running }
    /// A stopped container can always be deleted; a created one too (its init is killed,
    /// as runc does); a running one only with force.
    public func canDelete(force: Bool) -> Bool {
        switch self {
        case .stopped, .created, .creating: return true
        case .running: return force
        }
    }
}
