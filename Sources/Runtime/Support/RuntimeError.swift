import NodeSupport
/// Why a runtime operation was refused: bad configuration (one line naming the file and
/// field), an unknown or duplicate container, or a lifecycle step the state does not allow.
public enum RuntimeError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The bundle's config.json (or an exec process) is unusable; `field` is a JSON path
    /// like `linux.namespaces[2].type`, or a file path.
    case invalidConfig(field: String, reason: String)
    case invalidID(String)
    case notFound(id: String)
    case alreadyExists(id: String)
    /// `action` ("start", "exec"…) is not allowed while the container is `status`.
    case invalidState(id: String, status: ContainerStatus, action: String)
    /// The container process failed before it could exec.
    case setupFailed(SystemError)

    public var description: String {
        switch self {
        case .invalidConfig(let field, let reason):
            return "\(field): \(reason)"
        case .invalidID(let id):
            return "invalid container id \"\(id)\": use letters, digits, '_', '-', '.' (not starting with '.')"
        case .notFound(let id):
            return "container \"\(id)\" does not exist"
        case .alreadyExists(let id):
            return "container \"\(id)\" already exists"
        case .invalidState(let id, let status, let action):
            return "cannot \(action) container \"\(id)\": it is \(status.rawValue)"
        case .setupFailed(let error):
            return error.description
        }
    }
}
