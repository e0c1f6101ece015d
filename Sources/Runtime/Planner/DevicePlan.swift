/// One `linux.devices` node as the child makes it: mknod(type|mode, major:minor), then chown.
public struct PlannedDevice: Equatable, Sendable {
    /// Absolute inside the container.
    public var path: String
    /// "c", "b" or "p" ("u", unbuffered, is a character device).
    public var type: Character
    public var major: Int64
    public var minor: Int64
    /// Permission bits only (the type comes from `type`).
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32

    /// The devices-cgroup rule that lets the container use it (rwm, as runc adds for each
    /// listed device); none for a fifo.
    public var cgroupRule: CgroupDeviceRule? {
        type == "p" ? nil : CgroupDeviceRule(allow: true, type: String(type), major: major, minor: minor, access: "rwm")
    }
}

/// Checks one `linux.devices[]` entry and fills runc's defaults (mode 0666, owner 0:0).
enum DevicePlan {
    static func plan(_ device: LinuxDevice, field: String) throws -> PlannedDevice {
        let path = device.path
        guard path.hasPrefix("/") else { throw invalid("\(field).path", "must be an absolute path") }
        let components = path.split(separator: "/")
        guard !components.isEmpty, !components.contains("..") else {
            throw invalid("\(field).path", "must name a file inside the container, without \"..\"")
        }
        let type: Character
        switch device.type {
        case "c", "u": type = "c"
        case "b": type = "b"
        case "p": type = "p"
        default: throw invalid("\(field).type", "\"\(device.type)\" is not c, b, u or p")
        }
        var major: Int64 = 0
        var minor: Int64 = 0
        if type != "p" {
            guard let m = device.major, let n = device.minor else {
                throw invalid(field, "a \(device.type) device needs major and minor")
            }
            // The kernel's dev_t: 12-bit major, 20-bit minor.
            guard (0...4095).contains(m), (0...0xfffff).contains(n) else {
                throw invalid(field, "major \(m) / minor \(n) out of range")
            }
            major = m
            minor = n
        }
        return PlannedDevice(
            path: ContainerPlanner.normalize(path), type: type, major: major, minor: minor,
            mode: (device.fileMode ?? 0o666) & 0o7777, uid: device.uid ?? 0, gid: device.gid ?? 0)
    }

    private static func invalid(_ field: String, _ reason: String) -> RuntimeError {
        .invalidConfig(field: field, reason: reason)
    }
}
