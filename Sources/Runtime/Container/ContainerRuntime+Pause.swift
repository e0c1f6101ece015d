/// `pause` and `resume`: the container's cgroup freezer, as runc drives it.
extension ContainerRuntime {
    func freezer(of stored: StoredContainer) throws -> CgroupFreezer? {
        try Cgroups.manager(path: stored.cgroupPath, root: cgroupRoot).freezer
    }

    // MARK: - pause, resume

    /// Freezes every process of a created or running container (its cgroup's freezer).
    public func pause(id: String) throws {
        try setFrozen(id: id, true)
    }

    /// Thaws a paused container.
    public func resume(id: String) throws {
        try setFrozen(id: id, false)
    }

    private func setFrozen(id: String, _ frozen: Bool) throws {
        try StateStore.validate(id: id)
        try store.withLock(id) {
            let action = frozen ? "pause" : "resume"
            guard let stored = try store.load(id) else { throw RuntimeError.notFound(id: id) }
            let status = currentStatus(stored)
            guard frozen ? status.canPause : status.canResume else {
                throw RuntimeError.invalidState(id: id, status: status, action: action)
            }
            guard let freezer = try freezer(of: stored) else {
                throw CgroupError.invalidResource(field: "freezer", reason: "no freezer cgroup is mounted for \(stored.cgroupPath)")
            }
            try freezer.set(frozen: frozen)
        }
    }
}
