import Testing
@testable import Runtime

/// uid/gid mappings and the user namespace they need, as runc's validator has them.
@Suite struct UserNamespacePlanTests {
    func plan(_ linux: Linux, new: Set<NamespaceKind>, join: [NamespaceKind: String] = [:]) -> String {
        do {
            guard let maps = try UserNamespacePlan.plan(linux, newNamespaces: new, joinNamespaces: join) else { return "none" }
            return maps.uidMap + "|" + maps.gidMap
        } catch {
            return "\(error)"
        }
    }

    @Test func mapsBecomeProcMapTextAndNeedTheirNamespace() {
        var linux = Linux()
        linux.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
        linux.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 1000), LinuxIDMapping(containerID: 1000, hostID: 5000, size: 1)]
        #expect(plan(linux, new: [.user, .mount]) == "0 100000 65536\n|0 100000 1000\n1000 5000 1\n")
        #expect(plan(linux, new: [.mount]) == "linux.uidMappings: user namespace mappings are given, but linux.namespaces has no user namespace")
        #expect(plan(Linux(), new: [.mount]) == "none")
        #expect(plan(linux, new: [.user], join: [.network: "/run/netns/x"]) == "linux.namespaces: a new user namespace cannot be combined with joining the network namespace by path")
        #expect(plan(linux, new: [], join: [.user: "/proc/1/ns/user"]) == "linux.namespaces: joining a user namespace by path is not supported")
        linux.gidMappings = []
        #expect(plan(linux, new: [.user]) == "linux.gidMappings: a user namespace needs gid mappings")
        linux.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 4_294_967_000, size: 1000)]
        #expect(plan(linux, new: [.user]) == "linux.gidMappings[0]: the range wraps past 4294967295")
    }
}
