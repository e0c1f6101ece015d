import APIStore
import Foundation

/// What `log` and `exec` need from the node: the pod's containers' logs and processes. The
/// agent implements it over its log files and the runtime; the API server only frames.
public protocol NodeStreams: Sendable {
    /// The container's log text (`tailLines`, `previous`); with `follow`, keeps calling
    /// `write` as lines arrive until `isOpen` turns false or the container stops.
    func logs(pod: JSONValue, container: String, options: LogOptions, write: @escaping @Sendable (Data) -> Void,
              isOpen: @escaping @Sendable () -> Bool) throws

    /// Starts `command` in the container; returns the running process's stdio.
    func exec(pod: JSONValue, container: String, command: [String], tty: Bool, stdin: Bool) throws -> ExecProcess
}

/// `GET …/log` query options.
public struct LogOptions: Sendable {
    public var follow = false
    public var previous = false
    public var tailLines: Int?

    public init() {}
}

/// A command running in a container: where its input goes, where its output comes from,
/// how to resize its terminal, and how to wait for its exit code.
public struct ExecProcess: Sendable {
    /// Writes to the process's stdin (or terminal); nil closes it.
    public var input: @Sendable (Data?) -> Void
    /// The process's stdout (its terminal with a tty), and stderr without one; each read
    /// returns nil at end of stream.
    public var stdout: @Sendable () -> Data?
    public var stderr: (@Sendable () -> Data?)?
    public var resize: @Sendable (_ width: UInt16, _ height: UInt16) -> Void
    public var wait: @Sendable () -> Int32

    public init(input: @escaping @Sendable (Data?) -> Void, stdout: @escaping @Sendable () -> Data?, stderr: (@Sendable () -> Data?)?,
                resize: @escaping @Sendable (UInt16, UInt16) -> Void, wait: @escaping @Sendable () -> Int32) {
        self.input = input
        self.stdout = stdout
        self.stderr = stderr
        self.resize = resize
        self.wait = wait
    }
}
