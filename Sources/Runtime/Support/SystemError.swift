#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call, naming the operation and the object: `mount /proc: permission denied`.
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    public var errno: Int32
    public var operation: String
    public var detail: String

    public init(errno: Int32, operation: String, detail: String) {
        self.errno = errno
        self.operation = operation
        self.detail = detail
    }

    public var description: String {
        let what = detail.isEmpty ? operation : "\(operation) \(detail)"
        return "\(what): \(SystemError.message(errno))"
    }

    /// strerror, lowercased the way runc and crun print it.
    static func message(_ errno: Int32) -> String {
        let text = String(cString: strerror(errno))
        guard let first = text.first else { return "errno \(errno)" }
        return first.lowercased() + text.dropFirst()
    }
}

/// Runs a call that returns -1 and sets errno, retrying on EINTR; throws a `SystemError`
/// naming `operation` and `detail` otherwise. errno is captured right after the call.
@discardableResult
func sys<T: BinaryInteger>(_ operation: String, _ detail: String, _ body: () -> T) throws -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let err = errno
        if err == EINTR { continue }
        throw SystemError(errno: err, operation: operation, detail: detail)
    }
}
