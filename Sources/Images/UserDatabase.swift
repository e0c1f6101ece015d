import Foundation

/// A container's /etc/passwd and /etc/group, parsed, to turn user and group names into ids.
public struct UserDatabase: Sendable, Hashable {
    public struct User: Sendable, Hashable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
    }

    public struct Group: Sendable, Hashable {
        public var name: String
        public var gid: UInt32
        public var members: [String]
    }

    public var users: [User]
    public var groups: [Group]

    public init(users: [User] = [], groups: [Group] = []) {
        self.users = users
        self.groups = groups
    }

    /// Parses passwd (`name:x:uid:gid:gecos:home:shell`) and group (`name:x:gid:members`)
    /// text; malformed lines are skipped, as libc does.
    public init(passwd: String, group: String) {
        users = passwd.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 4, !f[0].isEmpty, !f[0].hasPrefix("#"), let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { return nil }
            return User(name: String(f[0]), uid: uid, gid: gid, home: f.count > 5 ? String(f[5]) : "/")
        }
        groups = group.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 3, !f[0].isEmpty, !f[0].hasPrefix("#"), let gid = UInt32(f[2]) else { return nil }
            let members = f.count > 3 ? f[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
            return Group(name: String(f[0]), gid: gid, members: members)
        }
    }

    /// Reads `/etc/passwd` and `/etc/group` of a rootfs (missing files are empty), resolving
    /// symlinks inside the rootfs, never on the host.
    public static func load(rootfs: String) throws -> UserDatabase {
        let root = try BeneathDirectory(path: rootfs, inRoot: true)
        func text(_ path: String) throws -> String {
            do {
                return String(decoding: try root.readFile(path, limit: 4 << 20), as: UTF8.self)
            } catch ImageError.system(_, _, let code) where code == ENOENT {
                return ""
            }
        }
        return UserDatabase(passwd: try text("etc/passwd"), group: try text("etc/group"))
    }

    public func user(named name: String) -> User? { users.first { $0.name == name } }
    public func user(uid: UInt32) -> User? { users.first { $0.uid == uid } }
    public func group(named name: String) -> Group? { groups.first { $0.name == name } }
}
