/// The CNI_* environment of one plugin call, checked as the spec asks.
public struct PluginEnvironment: Equatable, Sendable {
    public enum Command: String, Sendable {
        case add = "ADD"
        case del = "DEL"
        case check = "CHECK"
        case version = "VERSION"
        /// CNI 1.1: free what belongs to attachments not in `cni.dev/valid-attachments`.
        case gc = "GC"
        /// CNI 1.1: tell whether the plugin can serve ADDs.
        case status = "STATUS"
    }

    public var command: Command
    public var containerID: String
    public var netns: String
    public var ifName: String
    /// CNI_ARGS as key/value pairs, in order.
    public var args: [(String, String)]
    public var path: [String]

    public static func == (a: PluginEnvironment, b: PluginEnvironment) -> Bool {
        a.command == b.command && a.containerID == b.containerID && a.netns == b.netns && a.ifName == b.ifName
            && a.args.map { "\($0.0)=\($0.1)" } == b.args.map { "\($0.0)=\($0.1)" } && a.path == b.path
    }

    /// Reads the variables from `env`; a missing or bad one gives error code 4.
    public init(_ env: [String: String]) throws {
        guard let raw = env["CNI_COMMAND"], !raw.isEmpty else {
            throw CNIError(.invalidEnvironment, "required env variables [CNI_COMMAND] missing")
        }
        guard let command = Command(rawValue: raw) else {
            throw CNIError(.invalidEnvironment, "unknown CNI_COMMAND: \(raw)")
        }
        self.command = command
        containerID = env["CNI_CONTAINERID"] ?? ""
        netns = env["CNI_NETNS"] ?? ""
        ifName = env["CNI_IFNAME"] ?? ""
        path = (env["CNI_PATH"] ?? "").split(separator: ":").map(String.init)
        args = []
        if command == .version || command == .gc || command == .status { return }

        var required = ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"]
        if command != .del { required.insert("CNI_NETNS", at: 1) }
        let missing = required.filter { (env[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw CNIError(.invalidEnvironment, "required env variables [\(missing.joined(separator: ","))] missing")
        }
        guard PluginEnvironment.isValidContainerID(containerID) else {
            throw CNIError(.invalidEnvironment, "invalid characters in CNI_CONTAINERID", details: containerID)
        }
        guard PluginEnvironment.isValidInterfaceName(ifName) else {
            throw CNIError(
                .invalidEnvironment,
                "invalid CNI_IFNAME \"\(ifName)\": at most 15 characters, no '/', ':' or whitespace")
        }
        for pair in (env["CNI_ARGS"] ?? "").split(separator: ";") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, !kv[0].isEmpty else {
                throw CNIError(.invalidEnvironment, "invalid CNI_ARGS pair \"\(pair)\" (want KEY=VALUE)")
            }
            args.append((String(kv[0]), String(kv[1])))
        }
    }

    /// libcni's rule: starts with a letter or digit, then letters, digits, '_', '.', '-'.
    public static func isValidContainerID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, first.isASCIIAlnum else { return false }
        return id.unicodeScalars.allSatisfy { $0.isASCIIAlnum || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// The kernel's rule for interface names.
    public static func isValidInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15 && name != "." && name != ".."
            && !name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace })
    }

    public func arg(_ key: String) -> String? { args.last(where: { $0.0 == key })?.1 }
}

extension Unicode.Scalar {
    var isASCIIAlnum: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
