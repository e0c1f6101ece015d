import Logging
import NodeSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Runs CNI plugin chains by the exec protocol, as libcni does: ADD in order (each
/// plugin gets the previous result), DEL in reverse and CHECK with the cached result,
/// caching results per attachment. Works with any CNI plugin (swiftlet-bridge, the
/// reference plugins...). Calls block until the plugins exit.
public struct CNIClient: Sendable {
    public let pluginDirs: [String]
    public let cache: ResultCache
    let logger: Logger

    public init(pluginDirs: [String], cacheDir: String = "/var/lib/cni", logger: Logger) {
        self.pluginDirs = pluginDirs
        self.cache = ResultCache(cacheDir: cacheDir)
        self.logger = logger
    }

    /// Attaches the container to the network; returns the last plugin's result (cached).
    @discardableResult
    public func add(network: NetworkConfigList, runtime: RuntimeConf) throws -> CNIResult {
        var prev: CNIResult?
        for plugin in network.plugins {
            let out = try invoke(.add, plugin: plugin, network: network, runtime: runtime, prevResult: prev)
            guard let out else {
                throw CNIError(.decodingFailure, "plugin \(plugin.type) returned no result for ADD")
            }
            prev = try CNIResult(json: out, source: "plugin \(plugin.type) result")
        }
        guard let result = prev else { throw CNIError(.invalidNetworkConfig, "network \(network.name) has no plugins") }
        try cache.store(result, network: network, runtime: runtime)
        logger.debug("CNI ADD done", metadata: ["network": "\(network.name)", "container": "\(runtime.containerID)"])
        return result
    }

    /// Checks the attachment against the cached result (CNI ≥ 0.4.0).
    public func check(network: NetworkConfigList, runtime: RuntimeConf) throws {
        guard !network.cniVersion.hasPrefix("0.3"), !network.disableCheck else { return }
        guard let cached = try cache.result(network: network.name, runtime: runtime) else {
            throw CNIError(
                .unknownContainer, "no cached result for \(network.name) \(runtime.containerID) \(runtime.ifName)")
        }
        for plugin in network.plugins {
            _ = try invoke(.check, plugin: plugin, network: network, runtime: runtime, prevResult: cached)
        }
    }

    /// Detaches the container; the cached result is the prevResult. Idempotent when the
    /// plugins are (the spec requires it).
    public func del(network: NetworkConfigList, runtime: RuntimeConf) throws {
        let cached =
            network.cniVersion.hasPrefix("0.3") ? nil : try cache.result(network: network.name, runtime: runtime)
        for plugin in network.plugins.reversed() {
            _ = try invoke(.del, plugin: plugin, network: network, runtime: runtime, prevResult: cached)
        }
        try cache.remove(network: network.name, runtime: runtime)
        logger.debug("CNI DEL done", metadata: ["network": "\(network.name)", "container": "\(runtime.containerID)"])
    }

    /// Garbage-collects the network as libcni does: DEL for every cached attachment not in
    /// `validAttachments`, then (CNI ≥ 1.1) GC in every plugin with the valid list, so
    /// plugins also free what they hold for attachments the runtime forgot.
    public func gc(network: NetworkConfigList, validAttachments: [RuntimeConf]) throws {
        let valid = Set(validAttachments.map { "\($0.containerID)\u{0}\($0.ifName)" })
        for cached in try cache.attachments(network: network.name)
        where !valid.contains("\(cached.containerID)\u{0}\(cached.ifName)") {
            logger.info(
                "CNI GC: deleting stale attachment",
                metadata: [
                    "network": "\(network.name)", "container": "\(cached.containerID)", "ifname": "\(cached.ifName)",
                ])
            try del(network: network, runtime: cached)
        }
        guard CNIClient.atLeast(network.cniVersion, "1.1.0") else { return }
        let list: JSONValue = .array(
            validAttachments.map {
                .object([("containerID", .string($0.containerID)), ("ifname", .string($0.ifName))])
            })
        for plugin in network.plugins {
            var config = plugin
            config.json.set("cni.dev/valid-attachments", list)
            _ = try invoke(.gc, plugin: config, network: network, runtime: nil, prevResult: nil)
        }
    }

    /// Asks every plugin whether it can serve ADDs (CNI ≥ 1.1; older networks are ready).
    public func status(network: NetworkConfigList) throws {
        guard CNIClient.atLeast(network.cniVersion, "1.1.0") else { return }
        for plugin in network.plugins {
            _ = try invoke(.status, plugin: plugin, network: network, runtime: nil, prevResult: nil)
        }
    }

    static func atLeast(_ version: String, _ minimum: String) -> Bool {
        let a = version.split(separator: ".").map { Int($0) ?? 0 }
        let b = minimum.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            if x != y { return x > y }
        }
        return true
    }

    /// The result cached by the last ADD of this attachment.
    public func cachedResult(network: NetworkConfigList, runtime: RuntimeConf) throws -> CNIResult? {
        try cache.result(network: network.name, runtime: runtime)
    }

    /// The config one plugin of the chain receives: its own fields, the list's name and
    /// version, prevResult and the runtimeConfig for the capabilities it declares.
    public func pluginConfig(_ plugin: NetworkConfig, runtime: RuntimeConf, prevResult: CNIResult?) -> JSONValue {
        var json = plugin.json
        let runtimeConfig = plugin.capabilities.compactMap { cap in runtime.capabilityArgs[cap].map { (cap, $0) } }
        if !runtimeConfig.isEmpty { json.set("runtimeConfig", .object(runtimeConfig)) }
        if let prevResult {
            var prev = prevResult
            prev.cniVersion = plugin.cniVersion
            json.set("prevResult", prev.json)
        }
        return json
    }

    private func invoke(
        _ command: PluginEnvironment.Command, plugin: NetworkConfig, network: NetworkConfigList,
        runtime: RuntimeConf?, prevResult: CNIResult?
    ) throws -> JSONValue? {
        guard let path = ProcessRunner.find(plugin.type, in: pluginDirs) else {
            throw CNIError(.pluginNotFound, "failed to find plugin \"\(plugin.type)\" in path \(pluginDirs)")
        }
        var environment = CNIClient.baseEnvironment()
        environment += ["CNI_COMMAND=\(command.rawValue)", "CNI_PATH=\(pluginDirs.joined(separator: ":"))"]
        if let runtime {
            environment += [
                "CNI_CONTAINERID=\(runtime.containerID)",
                "CNI_NETNS=\(runtime.netNS)",
                "CNI_IFNAME=\(runtime.ifName)",
                "CNI_ARGS=\(runtime.cniArgs)",
            ]
        }
        let config = runtime.map { pluginConfig(plugin, runtime: $0, prevResult: prevResult) } ?? plugin.json
        let stdin = Array(config.serialized().utf8)
        let out: ProcessOutput
        do {
            out = try ProcessRunner.run(path, environment: environment, stdin: stdin)
        } catch let error as SystemError {
            throw CNIError(.pluginNotFound, error.description)
        }
        let parsed = try? JSONValue.parse(out.stdout)
        guard out.status == 0 else {
            if let parsed, let error = CNIError.fromJSON(parsed) {
                logger.warning(
                    "CNI plugin failed",
                    metadata: [
                        "plugin": "\(plugin.type)", "command": "\(command.rawValue)", "error": "\(error)",
                    ])
                throw error
            }
            throw CNIError(
                .internalError, "plugin \(plugin.type) \(command.rawValue) exited \(out.status): \(out.stderrText)")
        }
        if command == .add && parsed == nil {
            throw CNIError(.decodingFailure, "plugin \(plugin.type) printed invalid JSON for ADD")
        }
        return parsed
    }

    /// This process's environment without CNI_* (libcni passes os.Environ() on).
    private static func baseEnvironment() -> [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if !s.hasPrefix("CNI_") { out.append(s) }
            p += 1
        }
        return out
    }
}
