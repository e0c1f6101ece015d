/// The Linux security modules a host has enabled, as runc detects them.
public struct SecurityModules: Equatable, Sendable {
    public var selinux: Bool
    public var apparmor: Bool

    public init(selinux: Bool, apparmor: Bool) {
        self.selinux = selinux
        self.apparmor = apparmor
    }
}

extension PlannerHost {
    /// SELinux: selinuxfs mounted (go-selinux's test); AppArmor: securityfs has it and the
    /// module says enabled (runc's apparmor.IsEnabled).
    public func securityModules() -> SecurityModules {
        let selinux = FileBytes.exists("/sys/fs/selinux/enforce")
        let enabled = (try? FileBytes.readString("/sys/module/apparmor/parameters/enabled")) ?? ""
        let apparmor = FileBytes.exists("/sys/kernel/security/apparmor") && enabled.hasPrefix("Y")
        return SecurityModules(selinux: selinux, apparmor: apparmor)
    }
}
