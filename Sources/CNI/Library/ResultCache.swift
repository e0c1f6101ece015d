import NodeSupport
/// libcni's per-attachment result cache: `<cacheDir>/results/<network>-<containerID>-<ifName>`
/// holding the config, the args and the last ADD result, so DEL and CHECK get their
/// prevResult even after the runtime restarted.
public struct ResultCache: Sendable {
    public let cacheDir: String

    public init(cacheDir: String) { self.cacheDir = cacheDir }

    public func path(network: String, runtime: RuntimeConf) -> String {
        "\(resultsDir)/\(entryName(network: network, runtime: runtime))"
    }

    private var resultsDir: String { "\(cacheDir)/results" }

    private func entryName(network: String, runtime: RuntimeConf) -> String {
        "\(network)-\(runtime.containerID)-\(runtime.ifName)"
    }

    public func store(_ result: CNIResult, network: NetworkConfigList, runtime: RuntimeConf) throws {
        let entry: JSONValue = .object([
            ("kind", .string("cniCacheV1")),
            ("containerId", .string(runtime.containerID)),
            ("config", .string(Base64.encode(Array(network.json.serialized().utf8)))),
            ("ifName", .string(runtime.ifName)),
            ("networkName", .string(network.name)),
            ("netns", .string(runtime.netNS)),
            ("cniArgs", .array(runtime.args.map { .array([.string($0.0), .string($0.1)]) })),
            ("capabilityArgs", .object(runtime.capabilityArgs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ("result", result.json),
        ])
        do {
            try Posix.makeDirectories(resultsDir, mode: 0o700)
            try Posix.writeFileAtomically(path(network: network.name, runtime: runtime), Array(entry.serialized().utf8))
        } catch let error as SystemError {
            throw error.cniError
        }
    }

    /// The cached ADD result; nil when none was cached.
    public func result(network: String, runtime: RuntimeConf) throws -> CNIResult? {
        let file = path(network: network, runtime: runtime)
        let bytes: [UInt8]?
        do {
            bytes = try Posix.readFile(file)
        } catch let error as SystemError {
            throw error.cniError
        }
        guard let bytes else { return nil }
        guard let json = try? JSONValue.parse(bytes), let result = json["result"] else {
            throw CNIError(.decodingFailure, "\(file): unreadable cached result")
        }
        return try CNIResult(json: result, source: file)
    }

    /// The attachments of `network` that have a cached result (netns, args and capability
    /// args as they were at ADD).
    public func attachments(network: String) throws -> [RuntimeConf] {
        let dir = resultsDir
        let names: [String]
        do {
            names = try Posix.listDirectory(dir).filter { $0.hasPrefix(network + "-") && !$0.contains(Posix.temporaryMarker) }.sorted()
        } catch let error as SystemError {
            throw error.cniError
        }
        return names.compactMap { name in
            guard let bytes = try? Posix.readFile("\(dir)/\(name)"), let json = try? JSONValue.parse(bytes),
                json["networkName"]?.stringValue == network, let id = json["containerId"]?.stringValue,
                let ifName = json["ifName"]?.stringValue
            else { return nil }
            let args = (json["cniArgs"]?.arrayValue ?? []).compactMap { pair -> (String, String)? in
                guard let kv = pair.arrayValue, kv.count == 2, let k = kv[0].stringValue, let v = kv[1].stringValue
                else { return nil }
                return (k, v)
            }
            var capabilityArgs: [String: JSONValue] = [:]
            for (k, v) in json["capabilityArgs"]?.objectValue ?? [] { capabilityArgs[k] = v }
            return RuntimeConf(
                containerID: id, netNS: json["netns"]?.stringValue ?? "", ifName: ifName, args: args,
                capabilityArgs: capabilityArgs)
        }
    }

    /// The network config the last ADD of this attachment used, whatever its network's name
    /// (libcni's GetNetworkListCachedConfig): DEL must detach with it even after the config
    /// directory changed. nil when no ADD was cached.
    public func network(containerID: String, ifName: String) throws -> NetworkConfigList? {
        let dir = resultsDir
        let names: [String]
        do {
            names = try Posix.listDirectory(dir).filter { $0.hasSuffix("-\(containerID)-\(ifName)") }.sorted()
        } catch let error as SystemError {
            throw error.cniError
        }
        for name in names {
            guard let bytes = try? Posix.readFile("\(dir)/\(name)"), let json = try? JSONValue.parse(bytes),
                json["containerId"]?.stringValue == containerID, json["ifName"]?.stringValue == ifName
            else { continue }
            guard let encoded = json["config"]?.stringValue, let config = Base64.decode(encoded) else {
                throw CNIError(.decodingFailure, "\(dir)/\(name): field \"config\" is not base64")
            }
            return try NetworkConfigList.parse(config, source: "\(dir)/\(name): config")
        }
        return nil
    }

    /// Removes the attachment's entry, and the temp files of stores interrupted by a kill.
    public func remove(network: String, runtime: RuntimeConf) throws {
        let name = entryName(network: network, runtime: runtime)
        do {
            try Posix.removeFile("\(resultsDir)/\(name)")
            for leftover in try Posix.listDirectory(resultsDir) where leftover.hasPrefix(name + Posix.temporaryMarker) {
                try Posix.removeFile("\(resultsDir)/\(leftover)")
            }
        } catch let error as SystemError {
            throw error.cniError
        }
    }
}

/// Standard base64 (libcni stores the config bytes that way in its cache).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of standard base64 text (padding optional); nil for any other character.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 where byte != UInt8(ascii: "=") {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(index))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)].map(UInt32.init)
            let n = chunk.enumerated().reduce(UInt32(0)) { $0 | $1.element << (18 - 6 * UInt32($1.offset)) }
            out.append(UInt8(n >> 16 & 0xff))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xff)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xff)) }
            i += 4
        }
        return out
    }
}
