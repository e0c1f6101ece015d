/// What `state` reports: the OCI state (ociVersion, id, status, pid, bundle, annotations)
/// plus when it was created, whether the kernel OOM-killed something in it, and how its
/// init ended when the runtime saw it end.
public struct ContainerState: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    public var status: ContainerStatus
    /// The init's PID in the caller's PID namespace (0 once stopped, as runc reports).
    public var pid: Int32
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var annotations: [String: String]?
    public var cgroupPath: String
    public var oomKilled: Bool
    public var exitStatus: ExitStatus?

    public init(
        ociVersion: String = "1.0.2", id: String, status: ContainerStatus, pid: Int32, bundle: String,
        rootfs: String, created: String, annotations: [String: String]? = nil, cgroupPath: String,
        oomKilled: Bool = false, exitStatus: ExitStatus? = nil
    ) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.rootfs = rootfs
        self.created = created
        self.annotations = annotations
        self.cgroupPath = cgroupPath
        self.oomKilled = oomKilled
        self.exitStatus = exitStatus
    }
}
