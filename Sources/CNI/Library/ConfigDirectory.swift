import NodeSupport
/// A CNI config directory (`/etc/cni/net.d`): `.conflist`, `.conf` and `.json` files,
/// taken in lexical order as libcni and the kubelet do.
public struct ConfigDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The config file names, sorted.
    public func files() throws -> [String] {
        do {
            return try Posix.listDirectory(path)
                .filter { $0.hasSuffix(".conflist") || $0.hasSuffix(".conf") || $0.hasSuffix(".json") }
                .filter { !$0.hasPrefix(".") }
                .sorted()
        } catch let error as SystemError {
            throw error.cniError
        }
    }

    /// Loads one file: a `.conflist`, or a single-plugin `.conf`/`.json` made into a list.
    public func load(file: String) throws -> NetworkConfigList {
        let full = "\(path)/\(file)"
        let bytes: [UInt8]?
        do {
            bytes = try Posix.readFile(full)
        } catch let error as SystemError {
            throw error.cniError
        }
        guard let bytes else { throw CNIError(.ioFailure, "\(full): no such file") }
        if file.hasSuffix(".conflist") { return try NetworkConfigList.parse(bytes, source: full) }
        let single = try NetworkConfig.parse(bytes, source: full)
        guard !single.name.isEmpty else { throw CNIError(.invalidNetworkConfig, "\(full): field \"name\" is missing") }
        return try NetworkConfigList(single: single, source: full)
    }

    /// The network a runtime uses: the first file, in lexical order, that loads. Invalid
    /// files before it are skipped; with no usable file the error names each problem.
    public func defaultNetwork() throws -> NetworkConfigList {
        var problems: [String] = []
        for file in try files() {
            do {
                return try load(file: file)
            } catch let error as CNIError {
                problems.append(error.msg)
            }
        }
        if problems.isEmpty { throw CNIError(.invalidNetworkConfig, "no network config found in \(path)") }
        throw CNIError(.invalidNetworkConfig, "no valid network config in \(path): \(problems.joined(separator: "; "))")
    }
}
