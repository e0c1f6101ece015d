import Foundation

/// What pods left on the node without a pod record to find it by: pinned sandboxes (with
/// their CNI attachment), shared PID namespaces and containers of pods the node no longer
/// knows. An agent killed between making a pod's host resources and recording them, or
/// `swiftlet reset` after the last worker, leaves these.
struct OrphanSweep {
    let services: NodeServices

    /// Removes everything that belongs to no pod in `knownPods` (uids); returns what it removed.
    @discardableResult
    func run(knownPods: Set<String>) -> [String] {
        let layout = services.layout
        var removed: [String] = []
        for id in ContainerFiles.all(root: layout.root) {
            if let podUID = layout.container(id: id).labels()?.podUID, knownPods.contains(podUID) { continue }
            services.containers.remove(id: id)
            removed.append("container \(id)")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: layout.sandboxesDir)) ?? []
        for entry in entries.sorted() {
            if entry.hasSuffix(SharedPIDNamespace.directorySuffix) {
                guard !knownPods.contains(String(entry.dropLast(SharedPIDNamespace.directorySuffix.count))) else { continue }
                let shared = SharedPIDNamespace(directory: layout.sandboxesDir + "/" + entry)
                shared.remove()
                try? FileManager.default.removeItem(atPath: shared.directory)
                removed.append("shared PID namespace \(entry)")
                continue
            }
            guard !knownPods.contains(entry) else { continue }
            let sandbox = SandboxNamespaces(directory: layout.sandboxDir(uid: entry))
            // The pod's name is gone with its record; CNI needs only the attachment's id.
            services.network.tearDown(podUID: entry, namespace: "", name: "", netns: sandbox.networkPath)
            try? sandbox.remove()
            removed.append("sandbox \(entry)")
        }
        for item in removed { services.logger.info("removed orphaned \(item)") }
        return removed
    }
}
