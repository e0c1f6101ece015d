/// A CNI error as the spec defines it: a well-known code, a one-line message and details.
/// A plugin prints it as JSON on stdout and exits 1; the library throws it when a plugin did.
public struct CNIError: Error, CustomStringConvertible, Equatable, Sendable {
    public var code: Int
    public var msg: String
    public var details: String

    public init(code: Int, msg: String, details: String = "") {
        self.code = code
        self.msg = msg
        self.details = details
    }

    public init(_ code: CNIErrorCode, _ msg: String, details: String = "") {
        self.init(code: code.rawValue, msg: msg, details: details)
    }

    public var description: String {
        details.isEmpty ? "CNI error \(code): \(msg)" : "CNI error \(code): \(msg); \(details)"
    }

    /// The spec's error JSON, tagged with `cniVersion`.
    public func json(cniVersion: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("cniVersion", .string(cniVersion)), ("code", JSONValue(code)), ("msg", .string(msg)),
        ]
        if !details.isEmpty { members.append(("details", .string(details))) }
        return .object(members)
    }

    /// Reads the spec's error JSON a plugin printed; nil when it is not one.
    public static func fromJSON(_ value: JSONValue) -> CNIError? {
        guard let code = value["code"]?.intValue else { return nil }
        return CNIError(
            code: code, msg: value["msg"]?.stringValue ?? "",
            details: value["details"]?.stringValue ?? "")
    }
}

/// The error codes of the CNI spec (1–99 reserved), and ours from 100 up.
public enum CNIErrorCode: Int, Sendable {
    case incompatibleVersion = 1
    case unsupportedField = 2
    case unknownContainer = 3
    case invalidEnvironment = 4
    case ioFailure = 5
    case decodingFailure = 6
    case invalidNetworkConfig = 7
    case tryAgainLater = 11
    /// STATUS (CNI 1.1): the plugin cannot serve ADDs now.
    case pluginNotAvailable = 50
    /// host-local: no free address left in the range set.
    case addressPoolExhausted = 100
    /// host-local: the address asked for is taken.
    case addressInUse = 101
    /// The link, address or route the plugin set up is not there (CHECK).
    case checkFailed = 102
    /// A netlink or iptables operation on the host failed.
    case hostSetupFailed = 103
    /// A delegated plugin could not be found or run.
    case pluginNotFound = 104
    case internalError = 999
}
