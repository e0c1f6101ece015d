import NodeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why an image operation failed, as one line that names the reference, digest, file or
/// layer entry involved.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// An image reference that does not parse (`invalid reference "Foo": repository name must be lowercase`).
    case invalidReference(String, reason: String)
    /// A digest string that does not parse.
    case invalidDigest(String, reason: String)
    /// Content whose digest (or size) is not the one its descriptor names.
    case digestMismatch(expected: String, actual: String)
    case sizeMismatch(digest: String, expected: Int64, actual: Int64)
    /// No image of that name in the store.
    case notFound(String)
    /// A blob the image needs is not in the store or the layout.
    case missingBlob(String)
    /// A file (index.json, manifest, config) that is not what it claims to be.
    case invalidContent(file: String, reason: String)
    /// A layer entry refused during unpack (path escape, unsupported type).
    case unsafeEntry(layer: String, entry: String, reason: String)
    /// A syscall failed.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidReference(let ref, let reason):
            return "invalid reference \"\(ref)\": \(reason)"
        case .invalidDigest(let digest, let reason):
            return "invalid digest \"\(digest)\": \(reason)"
        case .digestMismatch(let expected, let actual):
            return "content digest mismatch: expected \(expected), got \(actual)"
        case .sizeMismatch(let digest, let expected, let actual):
            return "content size mismatch for \(digest): expected \(expected) bytes, got \(actual)"
        case .notFound(let name):
            return "image \"\(name)\" not found"
        case .missingBlob(let digest):
            return "blob \(digest) not found"
        case .invalidContent(let file, let reason):
            return "\(file): \(reason)"
        case .unsafeEntry(let layer, let entry, let reason):
            return "layer \(layer): entry \"\(entry)\" refused: \(reason)"
        case .system(let operation, let path, let errno):
            return SystemError(errno: errno, operation: operation, detail: path).description
        }
    }

    /// Throws `.system` with the errno of a call that returned -1, retrying on EINTR.
    @discardableResult
    static func check<T: BinaryInteger>(_ operation: String, _ path: String, _ call: () -> T) throws -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw ImageError.system(operation: operation, path: path, errno: code)
        }
    }
}
