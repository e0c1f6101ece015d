import Foundation
import KubeAPI
import Runtime

/// The pod sandbox: pinned namespaces joined to the pod network, the pod's /etc files,
/// the shared PID namespace and the pod cgroup.
extension PodWorker {
    /// The pod's pinned network, IPC and UTS namespaces.
    var sandbox: SandboxNamespaces {
        SandboxNamespaces(directory: layout.sandboxDir(uid: uid))
    }

    func setUpSandbox(now: Date) throws {
        let hostname = String((spec.hostname ?? name).prefix(63))
        // A sandbox a failed attempt or a killed agent left half-made goes first: CNI must
        // not see a second ADD without a DEL, and its namespaces may lack what a new one has.
        releaseSandbox()
        try sandbox.create(hostname: hostname)
        do {
            let ip = try services.network.setUp(podUID: uid, namespace: namespace, name: name, netns: sandbox.networkPath)
            let record = PodNetworkRecord(ip: ip, startTime: startTime ?? now)
            try FileManager.default.createDirectory(atPath: layout.podDir(uid: uid), withIntermediateDirectories: true)
            try writeNetworkFiles(ip: ip, hostname: hostname)
            // Written last: a restarted agent takes a sandbox with a record as complete.
            try JSONFile.write(record, to: layout.networkFile(uid: uid))
            podIP = ip
            startTime = record.startTime
        } catch {
            // Nothing of a failed attempt stays: no veth, no IP, no pinned namespace.
            releaseSandbox()
            throw error
        }
        sandboxReady = true
        events.record("Normal", "SandboxReady", "Pod sandbox ready with IP \(podIP ?? "")", at: now)
    }

    /// Detaches the sandbox from the network (CNI DEL) and unpins its namespaces, if it has any.
    func releaseSandbox() {
        if sandbox.exists || FileManager.default.fileExists(atPath: layout.networkFile(uid: uid)) {
            services.network.tearDown(podUID: uid, namespace: namespace, name: name, netns: sandbox.networkPath)
        }
        try? sandbox.remove()
        try? FileManager.default.removeItem(atPath: layout.networkFile(uid: uid))
    }

    private func writeNetworkFiles(ip: String, hostname: String) throws {
        try FileManager.default.createDirectory(atPath: layout.podEtcDir(uid: uid), withIntermediateDirectories: true)
        let fqdn = spec.subdomain.map { "\(hostname).\($0).\(namespace).svc.cluster.local" }
        let aliases = (spec.hostAliases ?? []).map { (ip: $0.ip ?? "", hostnames: $0.hostnames ?? []) }
        try AtomicFile.write(Data(PodNetworkFiles.hosts(podIP: ip, hostname: hostname, subdomainFQDN: fqdn, aliases: aliases).utf8), to: layout.podHostsFile(uid: uid))
        let resolv: String
        if spec.dnsPolicy == .default {
            resolv = services.nodeResolvConf
        } else {
            resolv = PodNetworkFiles.clusterFirstResolvConf(namespace: namespace, clusterDNS: services.clusterDNS, nodeResolvConf: services.nodeResolvConf)
        }
        try AtomicFile.write(Data(resolv.utf8), to: layout.podResolvConf(uid: uid))
        try AtomicFile.write(Data((hostname + "\n").utf8), to: layout.podHostnameFile(uid: uid))
    }

    var sharedPIDNamespace: SharedPIDNamespace {
        SharedPIDNamespace(directory: layout.sandboxDir(uid: uid) + SharedPIDNamespace.directorySuffix)
    }

    /// `/swiftlet/pod<uid>`: the pod's cgroup, parent of its containers' cgroups.
    var podCgroup: String {
        services.cgroupParent + "/pod" + uid
    }
}

/// The pod's network attachment, kept so a restarted agent knows the pod's IP.
struct PodNetworkRecord: Codable, Sendable {
    var ip: String
    var startTime: Date
}
