import Foundation
import NodeSupport

/// Why a configMap, secret or projected volume could not be prepared. Every case but
/// `system` is a fault of the pod's configuration (the pod worker reports it as
/// `CreateContainerConfigError`); `system` is a failure of the node.
public enum ConfigVolumeError: Error, Equatable, CustomStringConvertible {
    /// The referenced ConfigMap or Secret does not exist and the reference is not optional.
    case objectNotFound(kind: String, name: String)
    /// The reference leaves the object's name empty.
    case missingName(volume: String, field: String)
    /// `items` names a key the object lacks and the reference is not optional.
    case keyNotFound(kind: String, name: String, key: String)
    /// A file path (from `items[].path` or a key) is empty, absolute, has `..`, or clashes.
    case invalidPath(volume: String, path: String, reason: String)
    /// A mode outside 0…0777.
    case invalidMode(volume: String, field: String, mode: Int)
    /// The volume has a source this projector does not write.
    case unsupportedSource(volume: String, source: String)
    /// A host operation failed.
    case system(operation: String, path: String, errno: Int32)

    /// Whether the pod's configuration is at fault (as opposed to the node).
    public var isConfigError: Bool {
        if case .system = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .objectNotFound(let kind, let name):
            return "\(kind.lowercased()) \"\(name)\" not found"
        case .missingName(let volume, let field):
            return "volume \"\(volume)\": \(field) must name an object"
        case .keyNotFound(let kind, let name, let key):
            return "\(kind.lowercased()) \"\(name)\" references non-existent key \"\(key)\""
        case .invalidPath(let volume, let path, let reason):
            return "volume \"\(volume)\": path \"\(path)\": \(reason)"
        case .invalidMode(let volume, let field, let mode):
            return "volume \"\(volume)\": \(field): mode \(String(mode, radix: 8)) (octal) must be between 0 and 0777"
        case .unsupportedSource(let volume, let source):
            return "volume \"\(volume)\": \(source) is not supported"
        case .system(let operation, let path, let code):
            return SystemError(errno: code, operation: operation, detail: path, style: .libc).description
        }
    }
}
