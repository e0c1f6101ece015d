#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call, naming the operation and the object it was for, with the errno it
/// failed with: `mount /proc: permission denied`. The one error type for syscalls in every
/// Swiftlet module (runtime, CNI plugin, cluster DNS, kubelet); it needs no Foundation, so
/// the OCI runtime binary links none.
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    /// How the errno text reads: runc and crun print strerror lowercased (`permission
    /// denied`), the CNI plugin and the kubelet as libc gives it (`Permission denied`).
    public enum Style: Sendable, Equatable {
        case runc
        case libc
    }

    public var errno: Int32
    public var operation: String
    /// The path, address or object; empty when the operation says it all.
    public var detail: String
    /// Said instead of errno's text when the problem is the input, not the kernel.
    public var reason: String?
    public var style: Style

    /// The style defaults to runc's, the OCI runtime's (its CLI's errors read as runc's).
    public init(errno: Int32, operation: String, detail: String = "", reason: String? = nil, style: Style = .runc) {
        self.errno = errno
        self.operation = operation
        self.detail = detail
        self.reason = reason
        self.style = style
    }

    public var description: String {
        let what = detail.isEmpty ? operation : "\(operation) \(detail)"
        return "\(what): \(reason ?? SystemError.message(errno, style: style))"
    }

    /// strerror in the given style.
    public static func message(_ errno: Int32, style: Style = .runc) -> String {
        let text = String(cString: strerror(errno))
        guard style == .runc else { return text }
        guard let first = text.first else { return "errno \(errno)" }
        return first.lowercased() + text.dropFirst()
    }

    /// Runs a call that returns -1 and sets errno, retrying on EINTR; throws a `SystemError`
    /// naming `operation` and `detail` otherwise. errno is captured right after the call.
    @discardableResult
    public static func check<T: BinaryInteger>(
        _ operation: String, _ detail: String, style: Style = .runc, _ body: () -> T
    ) throws -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let err = currentErrno()
            if err == EINTR { continue }
            throw SystemError(errno: err, operation: operation, detail: detail, style: style)
        }
    }
}

/// errno, read through a name that `SystemError.errno` does not shadow.
private func currentErrno() -> Int32 { errno }
