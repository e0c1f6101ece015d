import NodeSupport

/// Runs a call that returns -1 and sets errno, retrying on EINTR; throws a `SystemError`
/// (in runc's style) naming `operation` and `detail` otherwise.
@discardableResult
func sys<T: BinaryInteger>(_ operation: String, _ detail: String, _ body: () -> T) throws -> T {
    try SystemError.check(operation, detail, body)
}
