/// mount(2) flags (MS_*), as an option set. Values are the kernel ABI.
public struct MountFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }

    public static let readOnly = MountFlags(rawValue: 1)
    public static let noSuid = MountFlags(rawValue: 2)
    public static let noDev = MountFlags(rawValue: 4)
    public static let noExec = MountFlags(rawValue: 8)
    public static let synchronous = MountFlags(rawValue: 16)
    public static let remount = MountFlags(rawValue: 32)
    public static let mandatoryLock = MountFlags(rawValue: 64)
    public static let dirSync = MountFlags(rawValue: 128)
    public static let noAtime = MountFlags(rawValue: 1024)
    public static let noDirAtime = MountFlags(rawValue: 2048)
    public static let bind = MountFlags(rawValue: 4096)
    public static let move = MountFlags(rawValue: 8192)
    public static let recursive = MountFlags(rawValue: 16384)
    public static let unbindable = MountFlags(rawValue: 1 << 17)
    public static let `private` = MountFlags(rawValue: 1 << 18)
    public static let slave = MountFlags(rawValue: 1 << 19)
    public static let shared = MountFlags(rawValue: 1 << 20)
    public static let relAtime = MountFlags(rawValue: 1 << 21)
    public static let strictAtime = MountFlags(rawValue: 1 << 24)
    public static let lazyTime = MountFlags(rawValue: 1 << 25)
}

/// A mount's `options` split the way runc does: flags for mount(2), the propagation to
/// apply afterwards, and the rest joined as the filesystem's data string.
public struct MountOptions: Equatable, Sendable {
    public var flags: MountFlags = []
    public var propagation: MountFlags = []
    /// Filesystem-specific options ("mode=755,size=65536k"), in order.
    public var data: [String] = []

    public init(flags: MountFlags = [], propagation: MountFlags = [], data: [String] = []) {
        self.flags = flags
        self.propagation = propagation
        self.data = data
    }

    /// Known option -> (set it?, flag).
    static let flagOptions: [String: (set: Bool, flag: MountFlags)] = [
        "defaults": (true, []),
        "ro": (true, .readOnly), "rw": (false, .readOnly),
        "nosuid": (true, .noSuid), "suid": (false, .noSuid),
        "nodev": (true, .noDev), "dev": (false, .noDev),
        "noexec": (true, .noExec), "exec": (false, .noExec),
        "sync": (true, .synchronous), "async": (false, .synchronous),
        "dirsync": (true, .dirSync),
        "remount": (true, .remount),
        "mand": (true, .mandatoryLock), "nomand": (false, .mandatoryLock),
        "atime": (false, .noAtime), "noatime": (true, .noAtime),
        "diratime": (false, .noDirAtime), "nodiratime": (true, .noDirAtime),
        "relatime": (true, .relAtime), "norelatime": (false, .relAtime),
        "strictatime": (true, .strictAtime), "nostrictatime": (false, .strictAtime),
        "lazytime": (true, .lazyTime), "nolazytime": (false, .lazyTime),
        "bind": (true, .bind), "rbind": (true, [.bind, .recursive]),
    ]

    static let propagationOptions: [String: MountFlags] = [
        "private": .private, "rprivate": [.private, .recursive],
        "shared": .shared, "rshared": [.shared, .recursive],
        "slave": .slave, "rslave": [.slave, .recursive],
        "unbindable": .unbindable, "runbindable": [.unbindable, .recursive],
    ]

    /// Options runc accepts that change nothing at mount time here.
    static let ignoredOptions: Set<String> = ["tmpcopyup", "idmap", "ridmap", "nosymfollow"]

    public init(parsing options: [String]) {
        for option in options {
            if let (set, flag) = Self.flagOptions[option] {
                if set { flags.formUnion(flag) } else { flags.subtract(flag) }
            } else if let flag = Self.propagationOptions[option] {
                propagation = flag
            } else if Self.ignoredOptions.contains(option) {
                continue
            } else {
                data.append(option)
            }
        }
    }

    /// The propagation of "rootfsPropagation" ("rslave", "private"…); nil if unknown.
    public static func propagation(named name: String) -> MountFlags? {
        propagationOptions[name]
    }
}
