import Foundation

/// Where the node keeps everything, from `--root`, the run dir and `--log-dir`:
///
/// | path | holds |
/// | --- | --- |
/// | `<root>/agent.json` | the running agent's settings, so CLI commands given only `--root` find the rest |
/// | `<root>/manifest-owners.json` | which manifest file holds each object name two files declare (`ManifestOwnerRecord`) |
/// | `<root>/pods/<uid>/pod.json` | the pod as the API shows it: metadata, spec, status |
/// | `<root>/pods/<uid>/events.json` | the pod's recent events |
/// | `<root>/pods/<uid>/volumes/<name>` | emptyDir (and later configMap/secret) volumes |
/// | `<root>/pods/<uid>/etc/` | the pod's hosts, resolv.conf and hostname files |
/// | `<root>/pods/<uid>/network.json` | the pod's CNI attachment (IP) |
/// | `<root>/containers/<id>/` | one container instance: its OCI bundle, labels, monitor and exit records |
/// | `<root>/images/` | the image store |
/// | `<runDir>/sandboxes/<uid>/{net,ipc,uts}` | pinned pod namespaces |
/// | `<runDir>/runtime/` | the OCI runtime's state |
/// | `<logDir>/<ns>_<pod>_<uid>/<container>/<restart>.log` | CRI-format container logs |
public struct NodeLayout: Codable, Sendable, Equatable {
    public var root: String
    public var runDir: String
    public var logDir: String

    public init(root: String, runDir: String, logDir: String) {
        self.root = root
        self.runDir = runDir
        self.logDir = logDir
    }

    public var agentFile: String { root + "/agent.json" }
    public var manifestOwnersFile: String { root + "/manifest-owners.json" }
    public var podsDir: String { root + "/pods" }
    public var containersDir: String { root + "/containers" }
    public var imagesRoot: String { root }
    public var cniCacheDir: String { root + "/cni" }
    public var runtimeRoot: String { runDir + "/runtime" }

    public func podDir(uid: String) -> String { podsDir + "/" + uid }
    public func podFile(uid: String) -> String { podDir(uid: uid) + "/pod.json" }
    public func eventsFile(uid: String) -> String { podDir(uid: uid) + "/events.json" }
    public func networkFile(uid: String) -> String { podDir(uid: uid) + "/network.json" }
    public func volumesDir(uid: String) -> String { podDir(uid: uid) + "/volumes" }
    public func podEtcDir(uid: String) -> String { podDir(uid: uid) + "/etc" }
    /// The pod's /etc/hosts, /etc/resolv.conf and /etc/hostname, bind-mounted into its containers.
    public func podHostsFile(uid: String) -> String { podEtcDir(uid: uid) + "/hosts" }
    public func podResolvConf(uid: String) -> String { podEtcDir(uid: uid) + "/resolv.conf" }
    public func podHostnameFile(uid: String) -> String { podEtcDir(uid: uid) + "/hostname" }
    public var sandboxesDir: String { runDir + "/sandboxes" }
    public func sandboxDir(uid: String) -> String { sandboxesDir + "/" + uid }
    public func container(id: String) -> ContainerFiles { ContainerFiles(root: root, id: id) }

    /// `<logDir>/<ns>_<pod>_<uid>`, as the kubelet names a pod's log directory.
    public func podLogDir(namespace: String, name: String, uid: String) -> String {
        logDir + "/\(namespace)_\(name)_\(uid)"
    }

    /// `<podLogDir>/<container>/<restartCount>.log`.
    public func containerLog(namespace: String, pod: String, uid: String, container: String, restartCount: Int) -> String {
        podLogDir(namespace: namespace, name: pod, uid: uid) + "/\(container)/\(restartCount).log"
    }

    /// The layout the agent recorded under `root`, or the defaults beside it.
    public static func load(root: String) -> NodeLayout {
        JSONFile.read(NodeLayout.self, from: root + "/agent.json")
            ?? NodeLayout(root: root, runDir: "/run/swiftlet", logDir: "/var/log/pods")
    }

}
