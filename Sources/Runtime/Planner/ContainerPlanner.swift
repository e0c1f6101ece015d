/// Where a `cgroup` mount's hierarchies come from: one entry per mount to make under the
/// destination (`subdirectory` nil = the destination itself, the v2 case).
public struct CgroupMountSource: Equatable, Sendable {
    public var subdirectory: String?
    public var fstype: String
    public var data: String
    /// Where the hierarchy is mounted on the host: a container without a cgroup namespace
    /// gets its own cgroup's directory under it bind-mounted, as runc does.
    public var hostMountPoint: String

    public init(subdirectory: String?, fstype: String, data: String, hostMountPoint: String = "/sys/fs/cgroup") {
        self.subdirectory = subdirectory
        self.fstype = fstype
        self.data = data
        self.hostMountPoint = hostMountPoint
    }
}

/// The host facts the planner needs, as a seam: tests hand in a fake.
public protocol PlannerHost {
    func exists(_ path: String) -> Bool
    func isDirectory(_ path: String) -> Bool
    /// The hierarchies a `cgroup` mount expands to (asked only when a spec has one).
    func cgroupMountSources() throws -> [CgroupMountSource]
    /// Whether `path` is the runtime's own network namespace (defaulted below).
    func isCurrentNetworkNamespace(_ path: String) -> Bool
    /// Which Linux security modules the host has enabled (defaulted below).
    func securityModules() -> SecurityModules
}

/// The real host: the filesystem and the cgroup mounts under /sys/fs/cgroup.
public struct LocalPlannerHost: PlannerHost {
    public var cgroupRoot: String

    public init(cgroupRoot: String = "/sys/fs/cgroup") { self.cgroupRoot = cgroupRoot }

    public func exists(_ path: String) -> Bool { FileBytes.exists(path) }
    public func isDirectory(_ path: String) -> Bool { FileBytes.isDirectory(path) }

    public func cgroupMountSources() throws -> [CgroupMountSource] {
        let found = try CgroupHierarchy.discover(root: cgroupRoot)
        if found.layout == .v2 {
            return [CgroupMountSource(subdirectory: nil, fstype: "cgroup2", data: "", hostMountPoint: found.unified!.mountPoint)]
        }
        var sources = found.v1.map { h -> CgroupMountSource in
            let name = String(h.mountPoint.split(separator: "/").last ?? "")
            let data = h.controllers.isEmpty ? "none,name=\(name)" : h.controllers.sorted().joined(separator: ",")
            return CgroupMountSource(subdirectory: name, fstype: "cgroup", data: data, hostMountPoint: h.mountPoint)
        }
        if let unified = found.unified {
            let name = String(unified.mountPoint.split(separator: "/").last ?? "unified")
            sources.append(CgroupMountSource(subdirectory: name, fstype: "cgroup2", data: "", hostMountPoint: unified.mountPoint))
        }
        return sources
    }
}

/// Turns a spec and its bundle into a `ContainerPlan`, validating as it goes: each refusal
/// is one `RuntimeError.invalidConfig` naming the field. Pure but for `host`.
public struct ContainerPlanner {
    public var host: PlannerHost
    /// Where a relative (or absent) `linux.cgroupsPath` goes.
    public var cgroupParent: String

    public init(host: PlannerHost = LocalPlannerHost(), cgroupParent: String = "/swiftlet") {
        self.host = host
        self.cgroupParent = cgroupParent
    }

    /// The plan for `spec`; refusals name the field as "config.json: linux.namespaces[1].type".
    public func plan(spec: Spec, bundle: String, id: String) throws -> ContainerPlan {
        do {
            return try planUnprefixed(spec: spec, bundle: bundle, id: id)
        } catch RuntimeError.invalidConfig(let field, let reason) {
            throw RuntimeError.invalidConfig(field: "config.json: \(field)", reason: reason)
        }
    }

    private func planUnprefixed(spec: Spec, bundle: String, id: String) throws -> ContainerPlan {
        guard let process = spec.process else { throw invalid("process", "missing") }
        let processPlan = try planProcess(process, field: "process")

        guard let root = spec.root else { throw invalid("root", "missing") }
        let rootfs = Self.normalize(root.path.hasPrefix("/") ? root.path : bundle + "/" + root.path)
        guard host.isDirectory(rootfs) else {
            throw invalid("root.path", "\(rootfs): no such directory")
        }

        let linux = spec.linux ?? Linux()
        if !(linux.mountLabel ?? "").isEmpty && !host.securityModules().selinux {
            throw invalid("linux.mountLabel", "an SELinux mount label is given, but SELinux is disabled or not supported on this host")
        }
        var newNamespaces: Set<NamespaceKind> = []
        var joinNamespaces: [NamespaceKind: String] = [:]
        for (i, ns) in (linux.namespaces ?? []).enumerated() {
            let field = "linux.namespaces[\(i)]"
            if ns.type == .time {
                throw invalid("\(field).type", "time namespaces are not supported")
            }
            if newNamespaces.contains(ns.type) || joinNamespaces[ns.type] != nil {
                throw invalid("\(field).type", "duplicate \(ns.type.rawValue) namespace")
            }
            if let path = ns.path, !path.isEmpty {
                guard path.hasPrefix("/") else { throw invalid("\(field).path", "must be absolute") }
                guard host.exists(path) else { throw invalid("\(field).path", "\(path): no such file") }
                joinNamespaces[ns.type] = path
            } else {
                newNamespaces.insert(ns.type)
            }
        }
        let userNamespace = try UserNamespacePlan.plan(
            linux, newNamespaces: newNamespaces, joinNamespaces: joinNamespaces)
        let sysctls = try SysctlPlan.plan(
            linux.sysctl ?? [:], newNamespaces: newNamespaces, joinNamespaces: joinNamespaces, host: host)
        // runc's validator: a namespace joined by path counts as the container's own.
        let privateMount = newNamespaces.contains(.mount) || joinNamespaces[.mount] != nil
        let privateUTS = newNamespaces.contains(.uts) || joinNamespaces[.uts] != nil
        if !privateMount {
            // Without one, runc mounts into the caller's namespace and chroots: what needs
            // a mount of the container's own is refused instead of silently skipped.
            if !(linux.maskedPaths ?? []).isEmpty || !(linux.readonlyPaths ?? []).isEmpty {
                throw invalid("linux.maskedPaths", "unable to restrict sys entries without a private mount namespace")
            }
            if root.readonly == true {
                throw invalid("root.readonly", "a read-only rootfs needs a private mount namespace")
            }
        }
        if !(spec.hostname ?? "").isEmpty && !privateUTS {
            throw invalid("hostname", "unable to set hostname without a private UTS namespace")
        }
        if !(spec.domainname ?? "").isEmpty && !privateUTS {
            throw invalid("domainname", "unable to set domainname without a private UTS namespace")
        }

        let cgroupPath = try planCgroupPath(linux.cgroupsPath, id: id)
        let cgroupView = CgroupView(path: cgroupPath, ownNamespace: newNamespaces.contains(.cgroup) || joinNamespaces[.cgroup] != nil)
        var mounts: [PlannedMount] = []
        var createDevices = false
        for (i, mount) in (spec.mounts ?? []).enumerated() {
            let planned = try planMount(mount, field: "mounts[\(i)]", bundle: bundle, cgroup: cgroupView)
            if planned.first?.destination == "/dev" && planned.first?.type == "tmpfs" { createDevices = true }
            mounts += planned
        }

        var propagation: MountFlags = []
        if let name = linux.rootfsPropagation, !name.isEmpty {
            guard let flags = MountOptions.propagation(named: name) else {
                throw invalid("linux.rootfsPropagation", "unknown propagation \"\(name)\"")
            }
            propagation = flags
        }
        for (i, path) in (linux.maskedPaths ?? []).enumerated() where !path.hasPrefix("/") {
            throw invalid("linux.maskedPaths[\(i)]", "must be absolute")
        }
        for (i, path) in (linux.readonlyPaths ?? []).enumerated() where !path.hasPrefix("/") {
            throw invalid("linux.readonlyPaths[\(i)]", "must be absolute")
        }
        let devices = try (linux.devices ?? []).enumerated().map { i, device in
            try DevicePlan.plan(device, field: "linux.devices[\(i)]")
        }

        try Self.checkResources(linux.resources)
        if let seccomp = linux.seccomp { try SeccompProgram.validate(seccomp) }

        return ContainerPlan(
            process: processPlan,
            rootfs: rootfs,
            rootfsReadonly: root.readonly ?? false,
            rootfsPropagation: propagation,
            mounts: mounts,
            createDevices: createDevices,
            devices: devices,
            maskedPaths: linux.maskedPaths ?? [],
            readonlyPaths: linux.readonlyPaths ?? [],
            hostname: (spec.hostname ?? "").isEmpty ? nil : spec.hostname,
            domainname: (spec.domainname ?? "").isEmpty ? nil : spec.domainname,
            newNamespaces: newNamespaces,
            joinNamespaces: joinNamespaces,
            sysctls: sysctls,
            userNamespace: userNamespace,
            cgroupPath: cgroupPath,
            resources: Self.resources(linux.resources, devices: devices),
            seccomp: linux.seccomp,
            hooks: spec.hooks,
            annotations: spec.annotations ?? [:])
    }

    /// Validates and converts a process (the container's, or one for `exec`).
    public func planProcess(_ process: Process, field: String) throws -> ProcessPlan {
        guard let args = process.args, !args.isEmpty, !args[0].isEmpty else {
            throw invalid("\(field).args", "must name a program")
        }
        guard process.cwd.hasPrefix("/") else { throw invalid("\(field).cwd", "must be an absolute path") }
        var capabilities: CapabilityMasks?
        if let caps = process.capabilities {
            let f = "\(field).capabilities"
            capabilities = CapabilityMasks(
                bounding: try LinuxNames.capabilityMask(caps.bounding, field: f + ".bounding"),
                effective: try LinuxNames.capabilityMask(caps.effective, field: f + ".effective"),
                permitted: try LinuxNames.capabilityMask(caps.permitted, field: f + ".permitted"),
                inheritable: try LinuxNames.capabilityMask(caps.inheritable, field: f + ".inheritable"),
                ambient: try LinuxNames.capabilityMask(caps.ambient, field: f + ".ambient"))
        }
        // As runc and crun: a label or profile the host cannot apply is an error. (The host
        // is asked only when one is given: a plain run pays nothing.)
        if !(process.selinuxLabel ?? "").isEmpty && !host.securityModules().selinux {
            throw invalid("\(field).selinuxLabel", "an SELinux label is given, but SELinux is disabled or not supported on this host")
        }
        if !(process.apparmorProfile ?? "").isEmpty && !host.securityModules().apparmor {
            throw invalid("\(field).apparmorProfile", "an AppArmor profile is given, but AppArmor is not enabled on this host")
        }
        var rlimits: [PlannedRlimit] = []
        for (i, limit) in (process.rlimits ?? []).enumerated() {
            guard let number = LinuxNames.rlimitNumber(limit.type) else {
                throw invalid("\(field).rlimits[\(i)].type", "unknown rlimit \"\(limit.type)\"")
            }
            guard limit.soft <= limit.hard else {
                throw invalid("\(field).rlimits[\(i)]", "soft limit \(limit.soft) is above the hard limit \(limit.hard)")
            }
            rlimits.append(PlannedRlimit(resource: number, soft: limit.soft, hard: limit.hard))
        }
        return ProcessPlan(
            args: args,
            env: process.env ?? [],
            cwd: process.cwd,
            uid: process.user.uid,
            gid: process.user.gid,
            additionalGids: process.user.additionalGids ?? [],
            capabilities: capabilities,
            rlimits: rlimits,
            noNewPrivileges: process.noNewPrivileges ?? false,
            oomScoreAdj: process.oomScoreAdj,
            terminal: process.terminal ?? false)
    }

    /// One spec mount -> the mounts to make (a `cgroup` mount expands to a tmpfs plus one
    /// mount per hierarchy on v1/hybrid).
    /// What a `cgroup` mount shows: the container's cgroup, through the namespace's root
    /// or, without a cgroup namespace, bind mounts of its directories.
    struct CgroupView {
        var path: String
        var ownNamespace: Bool
    }

    func planMount(_ mount: Mount, field: String, bundle: String, cgroup: CgroupView) throws -> [PlannedMount] {
        let destination = mount.destination
        guard destination.hasPrefix("/") else { throw invalid("\(field).destination", "must be an absolute path") }
        guard !destination.split(separator: "/").contains("..") else {
            throw invalid("\(field).destination", "must not contain \"..\"")
        }
        let options = MountOptions(parsing: mount.options ?? [])
        var flags = options.flags
        if mount.type == "bind" { flags.insert(.bind) }
        let data = options.data.isEmpty ? nil : options.data.joined(separator: ",")
        if flags.contains(.bind) {
            guard var source = mount.source, !source.isEmpty else { throw invalid("\(field).source", "missing") }
            if !source.hasPrefix("/") { source = Self.normalize(bundle + "/" + source) }
            guard host.exists(source) else { throw invalid("\(field).source", "\(source): no such file or directory") }
            return [PlannedMount(source: source, destination: destination, type: nil, flags: flags,
                                 propagation: options.propagation, data: data)]
        }
        guard let type = mount.type, !type.isEmpty else { throw invalid("\(field).type", "missing") }
        if type == "cgroup" {
            return try planCgroupMount(destination: destination, flags: flags, field: field, view: cgroup)
        }
        return [PlannedMount(source: mount.source ?? type, destination: destination, type: type, flags: flags,
                             propagation: options.propagation, data: data)]
    }

    private func planCgroupMount(destination: String, flags: MountFlags, field: String, view: CgroupView) throws -> [PlannedMount] {
        let sources: [CgroupMountSource]
        do {
            sources = try host.cgroupMountSources()
        } catch {
            throw invalid("\(field)", "cannot find the host's cgroup hierarchies: \(error)")
        }
        // Without a cgroup namespace a fresh cgroup mount would show the host's whole tree:
        // the container's own directories are bound instead (runc's v1 way; the child makes
        // its cgroup before these mounts).
        func own(_ source: CgroupMountSource, at target: String) -> PlannedMount {
            var bind = flags
            bind.insert(.bind)
            return PlannedMount(source: source.hostMountPoint + view.path, destination: target, type: nil, flags: bind)
        }
        if sources.count == 1 && sources[0].subdirectory == nil {
            if !view.ownNamespace { return [own(sources[0], at: destination)] }
            return [PlannedMount(source: "cgroup", destination: destination, type: "cgroup2", flags: flags)]
        }
        var tmpfsFlags = flags
        tmpfsFlags.remove(.readOnly)
        var mounts = [PlannedMount(source: "tmpfs", destination: destination, type: "tmpfs", flags: tmpfsFlags, data: "mode=755")]
        for source in sources {
            let target = destination + "/" + (source.subdirectory ?? "")
            if !view.ownNamespace {
                mounts.append(own(source, at: target))
                continue
            }
            mounts.append(PlannedMount(
                source: "cgroup", destination: target,
                type: source.fstype, flags: flags, data: source.data.isEmpty ? nil : source.data))
        }
        return mounts
    }

    func planCgroupPath(_ path: String?, id: String) throws -> String {
        var text = path ?? ""
        if text.isEmpty { text = cgroupParent + "/" + id }
        if text.contains(":") { throw invalid("linux.cgroupsPath", "systemd cgroup paths (slice:prefix:name) are not supported") }
        if !text.hasPrefix("/") { text = cgroupParent + "/" + text }
        do {
            return try CgroupPath(text).description
        } catch let error as CgroupError {
            throw invalid("linux.cgroupsPath", "\(error)")
        }
    }

    /// The cgroup limits; each `linux.devices` node is allowed after the spec's rules, as
    /// runc allows them.
    static func resources(_ r: LinuxResources?, devices nodes: [PlannedDevice] = []) -> CgroupResources {
        let nodeRules = nodes.compactMap(\.cgroupRule)
        guard let r else { return CgroupResources(devices: nodeRules.isEmpty ? nil : nodeRules) }
        var devices: [CgroupDeviceRule]? = nodeRules.isEmpty ? nil : nodeRules
        if let rules = r.devices, !rules.isEmpty {
            devices = rules.map {
                CgroupDeviceRule(allow: $0.allow, type: $0.type ?? "a", major: $0.major, minor: $0.minor, access: $0.access ?? "rwm")
            } + CgroupDeviceRule.defaultAllowed + nodeRules
        }
        return CgroupResources(
            memoryLimit: r.memory?.limit,
            memorySwap: r.memory?.swap,
            cpuShares: r.cpu?.shares,
            cpuQuota: r.cpu?.quota,
            cpuPeriod: r.cpu?.period,
            cpusetCpus: (r.cpu?.cpus ?? "").isEmpty ? nil : r.cpu?.cpus,
            cpusetMems: (r.cpu?.mems ?? "").isEmpty ? nil : r.cpu?.mems,
            pidsLimit: r.pids?.limit,
            devices: devices,
            memoryReservation: r.memory?.reservation,
            memorySwappiness: r.memory?.swappiness,
            disableOOMKiller: r.memory?.disableOOMKiller,
            blkioWeight: r.blockIO?.weight,
            hugepageLimits: r.hugepageLimits.map { Dictionary($0.map { ($0.pageSize, $0.limit) }, uniquingKeysWith: { $1 }) },
            unified: (r.unified ?? [:]).isEmpty ? nil : r.unified)
    }

    /// The resource fields no manager applies, refused with the field named (a limit that
    /// is not enforced must not look as if it were), and the ranges runc checks.
    static func checkResources(_ r: LinuxResources?) throws {
        guard let r else { return }
        func refuse(_ field: String, _ reason: String) -> RuntimeError {
            .invalidConfig(field: "linux.resources." + field, reason: reason)
        }
        if let swappiness = r.memory?.swappiness, swappiness > 100 {
            throw refuse("memory.swappiness", "\(swappiness) is out of 0...100")
        }
        if let io = r.blockIO {
            if let weight = io.weight, !(10...1000).contains(weight) {
                throw refuse("blockIO.weight", "\(weight) is out of 10...1000")
            }
            let unsupported: [(String, Bool)] = [
                ("leafWeight", io.leafWeight != nil), ("weightDevice", !(io.weightDevice ?? []).isEmpty),
                ("throttleReadBpsDevice", !(io.throttleReadBpsDevice ?? []).isEmpty),
                ("throttleWriteBpsDevice", !(io.throttleWriteBpsDevice ?? []).isEmpty),
                ("throttleReadIOPSDevice", !(io.throttleReadIOPSDevice ?? []).isEmpty),
                ("throttleWriteIOPSDevice", !(io.throttleWriteIOPSDevice ?? []).isEmpty),
            ]
            if let (name, _) = unsupported.first(where: { $0.1 }) {
                throw refuse("blockIO.\(name)", "per-device block I/O limits are not supported")
            }
        }
        for (i, limit) in (r.hugepageLimits ?? []).enumerated() {
            let size = limit.pageSize
            guard let unit = size.last, "KMG".contains(unit) || size.hasSuffix("B"),
                  size.allSatisfy({ $0.isNumber || "KMGB".contains($0) }), size.first?.isNumber == true
            else { throw refuse("hugepageLimits[\(i)].pageSize", "\"\(size)\" is not a page size like 2MB") }
        }
        if r.network != nil { throw refuse("network", "net_cls/net_prio limits are not supported") }
        if !(r.rdma ?? [:]).isEmpty { throw refuse("rdma", "rdma limits are not supported") }
        for key in (r.unified ?? [:]).keys where key.contains("/") || key.hasPrefix(".") || key.isEmpty {
            throw refuse("unified", "\"\(key)\" is not a cgroup file name")
        }
    }

    /// Collapses "//", "/./" and a trailing "/" (not ".."; callers refuse it where it matters).
    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    private func invalid(_ field: String, _ reason: String) -> RuntimeError {
        .invalidConfig(field: field, reason: reason)
    }
}
