/// The process a container runs, after Kubernetes' rules merge the container's fields with
/// the image config (as the kubelet and containerd's CRI plugin do):
/// - `command` replaces the image Entrypoint and drops its Cmd; `args` alone replaces Cmd;
/// - env: a default PATH, then the image Env, then the container's env (which wins, in place);
/// - workingDir: the container's, else the image's, else `/`;
/// - user: runAsUser[/runAsGroup], else the image User (`uid`, `uid:gid`, `name`, `name:group`)
///   resolved against the rootfs's /etc/passwd and /etc/group.
public struct ProcessDefaults: Sendable, Hashable {
    public var argv: [String]
    /// `KEY=value` strings, in order.
    public var env: [String]
    public var workingDir: String
    public var user: ResolvedUser

    /// The numeric identity a container process runs as.
    public struct ResolvedUser: Sendable, Hashable {
        public var uid: UInt32
        public var gid: UInt32
        /// Groups of /etc/group that list the user as a member (not the primary gid).
        public var additionalGids: [UInt32]
        /// The passwd home, for HOME when the env has none.
        public var home: String?

        public init(uid: UInt32, gid: UInt32, additionalGids: [UInt32] = [], home: String? = nil) {
            self.uid = uid
            self.gid = gid
            self.additionalGids = additionalGids
            self.home = home
        }
    }

    /// What the container spec says, as plain values (no Kubernetes types).
    public struct Container: Sendable, Hashable {
        public var command: [String]
        public var args: [String]
        /// (name, value) pairs in the order of the container's env list.
        public var env: [EnvVar]
        public var workingDir: String?
        public var runAsUser: Int64?
        public var runAsGroup: Int64?

        public init(command: [String] = [], args: [String] = [], env: [EnvVar] = [], workingDir: String? = nil,
                    runAsUser: Int64? = nil, runAsGroup: Int64? = nil) {
            self.command = command
            self.args = args
            self.env = env
            self.workingDir = workingDir
            self.runAsUser = runAsUser
            self.runAsGroup = runAsGroup
        }
    }

    public struct EnvVar: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Why the process cannot be determined (shown as CreateContainerError).
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noCommand
        case unknownUser(String)
        case unknownGroup(String)
        case invalidID(String)
        case groupWithoutUser(Int64)

        public var description: String {
            switch self {
            case .noCommand: return "no command specified: the image has no Entrypoint or Cmd and the container no command or args"
            case .unknownUser(let name): return "unable to find user \(name): no matching entries in passwd file"
            case .unknownGroup(let name): return "unable to find group \(name): no matching entries in group file"
            case .invalidID(let id): return "invalid user or group id \"\(id)\""
            case .groupWithoutUser(let gid): return "runAsGroup \(gid) is specified without runAsUser"
            }
        }
    }

    /// containerd's default when neither the image nor the container sets PATH.
    public static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Merges the container's fields over the image's defaults.
    public static func resolve(image: ImageConfig.ContainerDefaults?, container: Container, users: UserDatabase) throws -> ProcessDefaults {
        let image = image ?? ImageConfig.ContainerDefaults()

        // containerd's getProcessArgs (from moby's daemon/commit.go).
        var command = container.command
        var args = container.args
        if command.isEmpty {
            if args.isEmpty { args = image.cmd ?? [] }
            let entrypoint = image.entrypoint ?? []
            if !(entrypoint.count == 1 && entrypoint[0].isEmpty) { command = entrypoint }
        }
        let argv = command + args
        guard !argv.isEmpty else { throw Failure.noCommand }

        var env: [String] = []
        for entry in [defaultPath] + (image.env ?? []) + container.env.map({ "\($0.name)=\($0.value)" }) {
            setEnv(&env, entry)
        }

        let workingDir = container.workingDir.flatMap { $0.isEmpty ? nil : $0 }
            ?? image.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"

        var userString = ""
        if let uid = container.runAsUser {
            userString = "\(uid)"
            if let gid = container.runAsGroup { userString += ":\(gid)" }
        } else if let gid = container.runAsGroup {
            throw Failure.groupWithoutUser(gid)
        } else {
            userString = image.user ?? ""
        }
        let user = try resolveUser(userString, users: users)
        return ProcessDefaults(argv: argv, env: env, workingDir: workingDir, user: user)
    }

    /// Replaces `KEY=` in place or appends it (containerd's replaceOrAppendEnvValues).
    static func setEnv(_ env: inout [String], _ entry: String) {
        let key = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if let i = env.firstIndex(where: { $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0] == key }) {
            env[i] = entry
        } else {
            env.append(entry)
        }
    }

    /// containerd's oci.WithUser + WithAdditionalGIDs: "" is root; a numeric uid not in
    /// passwd gets gid 0; names must exist.
    public static func resolveUser(_ spec: String, users: UserDatabase) throws -> ResolvedUser {
        guard !spec.isEmpty else {
            return ResolvedUser(uid: 0, gid: 0, additionalGids: additionalGids(for: users.user(uid: 0)?.name, users: users),
                                home: users.user(uid: 0)?.home)
        }
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts[0]
        var entry: UserDatabase.User?
        var uid: UInt32
        if let numeric = UInt32(userPart) {
            uid = numeric
            entry = users.user(uid: numeric)
        } else if userPart.isEmpty || userPart.first!.isNumber || userPart.hasPrefix("-") {
            throw Failure.invalidID(userPart)
        } else {
            guard let found = users.user(named: userPart) else { throw Failure.unknownUser(userPart) }
            entry = found
            uid = found.uid
        }
        var gid = entry?.gid ?? 0
        if parts.count == 2 {
            let groupPart = parts[1]
            if let numeric = UInt32(groupPart) {
                gid = numeric
            } else if groupPart.isEmpty || groupPart.first!.isNumber || groupPart.hasPrefix("-") {
                throw Failure.invalidID(groupPart)
            } else {
                guard let group = users.group(named: groupPart) else { throw Failure.unknownGroup(groupPart) }
                gid = group.gid
            }
        }
        let extra = additionalGids(for: entry?.name, users: users).filter { $0 != gid }
        return ResolvedUser(uid: uid, gid: gid, additionalGids: extra, home: entry?.home)
    }

    static func additionalGids(for name: String?, users: UserDatabase) -> [UInt32] {
        guard let name else { return [] }
        var seen = Set<UInt32>()
        return users.groups.filter { $0.members.contains(name) }.map(\.gid).filter { seen.insert($0).inserted }
    }
}
