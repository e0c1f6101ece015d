/// One mounted cgroup hierarchy: a v1 mount with its controllers (or a named one like
/// name=systemd, with none) or a v2 tree.
struct CgroupHierarchy: Equatable, Sendable {
    var mountPoint: String
    /// v1 controllers of this mount ("cpu", "cpuacct" for a "cpu,cpuacct" mount); empty for
    /// named v1 hierarchies and for v2.
    var controllers: Set<String>
    var isUnified: Bool

    /// The hierarchies under `root`: `root` itself if it is a v2 mount, else each
    /// subdirectory that is a cgroup mount. Symlinks (cpu -> cpu,cpuacct) are skipped: the
    /// comma-joined mount they name is itself a subdirectory. A subdirectory with
    /// cgroup.controllers is the hybrid v2 tree.
    static func discover(root: String) throws -> (layout: CgroupLayout, v1: [CgroupHierarchy], unified: CgroupHierarchy?) {
        if CgroupFile.exists(root + "/cgroup.controllers") {
            return (.v2, [], CgroupHierarchy(mountPoint: root, controllers: [], isUnified: true))
        }
        guard CgroupFile.isDirectory(root) else { throw CgroupError.noHierarchy(root: root) }
        var v1: [CgroupHierarchy] = []
        var unified: CgroupHierarchy?
        for name in try CgroupFile.subdirectories(root) {
            let dir = root + "/" + name
            if CgroupFile.exists(dir + "/cgroup.controllers") {
                if unified == nil { unified = CgroupHierarchy(mountPoint: dir, controllers: [], isUnified: true) }
                continue
            }
            guard CgroupFile.exists(dir + "/cgroup.procs") else { continue }
            let controllers = name.split(separator: ",").map(String.init).filter { !$0.hasPrefix("name=") }
            // A named hierarchy (systemd's) carries no controller.
            let named = name == "systemd" || name.hasPrefix("name=")
            v1.append(CgroupHierarchy(mountPoint: dir, controllers: named ? [] : Set(controllers), isUnified: false))
        }
        if !v1.isEmpty { return (unified == nil ? .v1 : .hybrid, v1, unified) }
        if let unified { return (.v2, [], unified) }
        throw CgroupError.noHierarchy(root: root)
    }
}
