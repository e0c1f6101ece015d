/// One device-cgroup rule in OCI `linux.resources.devices` terms: allow or deny `access`
/// ("r", "w", "m" combined) to devices of `type` ("a" all, "b" block, "c" char) with the
/// given major/minor (nil = any).
public struct CgroupDeviceRule: Sendable, Equatable, Codable {
    public var allow: Bool
    public var type: String
    public var major: Int64?
    public var minor: Int64?
    public var access: String

    public init(allow: Bool, type: String = "a", major: Int64? = nil, minor: Int64? = nil, access: String = "rwm") {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// The v1 devices.allow / devices.deny line: "c 1:3 rwm", "a *:* rwm".
    public var v1Line: String {
        let major = self.major.map(String.init) ?? "*"
        let minor = self.minor.map(String.init) ?? "*"
        return "\(type) \(major):\(minor) \(access)"
    }

    /// The devices every container gets after a deny-all, as runc allows them: mknod of any
    /// node (opening it is still denied), null, zero, full, tty, random, urandom, ptmx and
    /// the /dev/pts terminals.
    public static let defaultAllowed: [CgroupDeviceRule] = [
        CgroupDeviceRule(allow: true, type: "c", access: "m"),
        CgroupDeviceRule(allow: true, type: "b", access: "m"),
        CgroupDeviceRule(allow: true, type: "c", major: 1, minor: 3),  // null
        CgroupDeviceRule(allow: true, type: "c", major: 1, minor: 5),  // zero
        CgroupDeviceRule(allow: true, type: "c", major: 1, minor: 7),  // full
        CgroupDeviceRule(allow: true, type: "c", major: 5, minor: 0),  // tty
        CgroupDeviceRule(allow: true, type: "c", major: 1, minor: 8),  // random
        CgroupDeviceRule(allow: true, type: "c", major: 1, minor: 9),  // urandom
        CgroupDeviceRule(allow: true, type: "c", major: 5, minor: 2),  // ptmx
        CgroupDeviceRule(allow: true, type: "c", major: 136),  // /dev/pts/*
    ]

    /// Checks the fields the kernel would otherwise reject with a bare EINVAL.
    func validate() throws {
        guard ["a", "b", "c"].contains(type) else {
            throw CgroupError.invalidResource(field: "devices.type", reason: "\"\(type)\" is not a, b or c")
        }
        guard !access.isEmpty, access.allSatisfy({ "rwm".contains($0) }) else {
            throw CgroupError.invalidResource(field: "devices.access", reason: "\"\(access)\" is not a combination of r, w, m")
        }
    }
}
