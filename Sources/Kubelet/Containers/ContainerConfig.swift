import Foundation

/// Everything the runtime needs to create one container of a pod, already resolved from the
/// pod spec, the image and the node (the CRI's `ContainerConfig`): a runtime-agnostic value
/// that `OCISpecGenerator` turns into an OCI `config.json`.
public struct ContainerConfig: Sendable, Equatable {
    /// A bind mount of a host path into the container.
    public struct Mount: Sendable, Equatable {
        public var source: String
        public var destination: String
        public var readOnly: Bool
        public init(source: String, destination: String, readOnly: Bool) {
            self.source = source
            self.destination = destination
            self.readOnly = readOnly
        }
    }

    public var args: [String] = []
    public var env: [String] = []
    public var workingDir: String = "/"
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var additionalGids: [UInt32] = []
    /// Capability names (`CAP_NET_ADMIN`) added to and dropped from the default set; `ALL` drops all.
    public var capabilitiesAdd: [String] = []
    public var capabilitiesDrop: [String] = []
    public var privileged = false
    public var noNewPrivileges = false
    public var readOnlyRootfs = false
    /// The runtime's default seccomp profile (RuntimeDefault) or none (Unconfined).
    public var seccompRuntimeDefault = true
    public var mounts: [Mount] = []
    public var memoryLimit: Int64?
    public var cpuShares: UInt64?
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?
    public var tty = false

    public init() {}
}
