import Foundation
import KubeAPI
import Logging

/// A pod's configMap, secret and projected volumes on the node, as the kubelet lays them
/// out: `<pod>/volumes/kubernetes.io~configmap/<name>` (secret and projected ones on a
/// tmpfs of their own), written by the atomic writer and re-projected so edits of the
/// objects reach running containers.
public struct PodConfigVolumes: Sendable {
    /// The pod's volumes directory.
    public let directory: String
    /// The pod's namespace: the objects are looked up there.
    public let namespace: String
    /// The pod's volumes this type handles.
    public let volumes: [Volume]
    let mounter: ConfigVolumeMount

    public init(directory: String, namespace: String, volumes: [Volume], logger: Logger = Logger(label: "swiftlet.config-volume")) {
        self.directory = directory
        self.namespace = namespace
        self.volumes = volumes.filter(ConfigVolumeProjector.handles)
        self.mounter = ConfigVolumeMount(logger: logger)
    }

    /// The volume's host directory.
    public func path(of volume: Volume) -> String {
        let plugin = volume.configMap != nil ? "configmap" : volume.secret != nil ? "secret" : "projected"
        return directory + "/kubernetes.io~" + plugin + "/" + volume.name
    }

    /// Projects every volume from `store`; returns each one's host path by name. A missing
    /// object fails with the `ConfigVolumeError` naming it.
    public func setUp(store: ConfigStore) throws -> [String: String] {
        var paths: [String: String] = [:]
        for volume in volumes {
            let files = try ConfigVolumeProjector.files(for: volume, namespace: namespace, store: store)
            try mounter.setUp(volumeDirectory: path(of: volume), files: files, onTmpfs: ConfigVolumeProjector.needsTmpfs(volume))
            paths[volume.name] = path(of: volume)
        }
        return paths
    }

    /// Re-projects every volume from the current objects; returns the names of the volumes
    /// that changed. A volume whose object went missing keeps its last contents, as upstream.
    public func refresh(store: ConfigStore) -> (changed: [String], failures: [String: ConfigVolumeError]) {
        var changed: [String] = []
        var failures: [String: ConfigVolumeError] = [:]
        for volume in volumes {
            do {
                let files = try ConfigVolumeProjector.files(for: volume, namespace: namespace, store: store)
                if try mounter.update(volumeDirectory: path(of: volume), files: files) { changed.append(volume.name) }
            } catch let error as ConfigVolumeError {
                failures[volume.name] = error
            } catch {
                failures[volume.name] = .system(operation: "update", path: path(of: volume), errno: EIO)
            }
        }
        return (changed, failures)
    }
}
