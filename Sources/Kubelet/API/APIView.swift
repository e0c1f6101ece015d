import APIStore
import Foundation
import KubeAPI
import WorkloadControllers

/// What one agent pass publishes to the API store (`APIObjectSync.View`), from the manifest
/// directory, the controllers' state, the pods as their workers wrote them, and the Services
/// and Endpoints the Services code published.
struct APIViewBuilder {
    let sync: APIObjectSync
    let nodeName: String
    /// Manifest file by object key, for the mirror annotation.
    var files: [ObjectKey: String] = [:]
    var view = APIObjectSync.View()

    init(sync: APIObjectSync, nodeName: String, state: DesiredState) {
        self.sync = sync
        self.nodeName = nodeName
        for (file, object) in state.objects where !file.isEmpty { files[object.key] = file }
        for pod in state.pods {
            if let file = pod.metadata.annotations?[StaticPods.sourceAnnotation] { files[KubeObject.pod(pod).key] = file }
        }
    }

    /// Publishes `object`: the agent's own (a manifest's or a controller's) whole, a user's
    /// as a status update made by `update`.
    mutating func add(_ object: KubeObject, user update: ((inout JSONValue, JSONValue) -> Void)? = nil) {
        guard let key = APIObjects.key(object), var value = APIObjects.json(object) else { return }
        if let file = files[object.key] {
            value[path: ["metadata", "annotations", StaticPods.sourceAnnotation]] = .string(file)
            if object.kind == "Pod" {
                value[path: ["metadata", "annotations", "kubernetes.io/config.mirror"]] = .string(object.metadata.uid ?? "")
            }
            view.owned[key] = value
        } else if APIObjectOrigin(value) == .derived && !sync.userKeys.contains(key) {
            view.owned[key] = value
        } else if sync.userKeys.contains(key), let update {
            let published = value
            view.userUpdates[key] = { update(&$0, published) }
        }
    }

    /// Every desired pod, with the status its worker last wrote.
    mutating func addPods(desired: [Pod], running: [Pod]) {
        let byUID = Dictionary(running.map { ($0.metadata.uid ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for pod in desired {
            var shown = byUID[pod.metadata.uid ?? ""] ?? pod
            if shown.status == nil { shown.status = PodStatus(phase: .pending) }
            shown.spec.nodeName = shown.spec.nodeName ?? nodeName
            add(.pod(shown)) { stored, published in
                stored["status"] = published["status"]
                stored[path: ["spec", "nodeName"]] = published[path: ["spec", "nodeName"]]
            }
        }
    }

    /// The controllers' objects with their status; a user's keeps what the user wrote.
    mutating func addWorkloads(_ state: WorkloadState) {
        let sync = self.sync
        func statusUpdate(_ key: StoreKey?) -> (inout JSONValue, JSONValue) -> Void {
            { stored, published in
                var status = published["status"] ?? .object([:])
                if status["observedGeneration"] != nil, let key, let generation = sync.generation(of: key) {
                    status["observedGeneration"] = .int(generation)
                }
                stored["status"] = status
                for (name, value) in published[path: ["metadata", "annotations"]]?.objectValue ?? [:] where name.hasPrefix("deployment.kubernetes.io/") {
                    stored[path: ["metadata", "annotations", name]] = value
                }
            }
        }
        for object in state.deployments.map(KubeObject.deployment) + state.replicaSets.map(KubeObject.replicaSet)
            + state.daemonSets.map(KubeObject.daemonSet) + state.jobs.map(KubeObject.job) + state.cronJobs.map(KubeObject.cronJob) {
            add(object, user: statusUpdate(APIObjects.key(object)))
        }
    }

    /// ConfigMaps, Secrets and Namespaces of the manifest directory.
    mutating func addFileObjects(_ state: DesiredState) {
        for (file, object) in state.objects where !file.isEmpty {
            switch object {
            case .configMap, .secret, .namespace: add(object)
            default: break
            }
        }
    }

    /// Services with their ClusterIPs and NodePorts, and their Endpoints, as published.
    mutating func addServices(_ services: [KubeObject], endpoints: [KubeObject]) {
        for service in services {
            add(service) { stored, published in
                // Only what the node allocates: a user's change made while this pass ran
                // (ports, type) must not be put back to what the pass read.
                for field in ["clusterIP", "clusterIPs"] where stored[path: ["spec", field]] == nil || stored[path: ["spec", field]] == "" {
                    stored[path: ["spec", field]] = published[path: ["spec", field]]
                }
                let allocated = published[path: ["spec", "ports"]]?.arrayValue ?? []
                if var ports = stored[path: ["spec", "ports"]]?.arrayValue {
                    for index in ports.indices where ports[index]["nodePort"] == nil {
                        let match = allocated.first { $0["port"] == ports[index]["port"] && ($0["protocol"] ?? "TCP") == (ports[index]["protocol"] ?? "TCP") }
                        if let nodePort = match?["nodePort"] { ports[index]["nodePort"] = nodePort }
                    }
                    stored[path: ["spec", "ports"]] = .array(ports)
                }
                stored["status"] = published["status"]
            }
        }
        for object in endpoints { add(object) }
    }
}

extension APIViewBuilder {
    /// Each object's recent events as core/v1 Events (what `kubectl describe` and `kubectl
    /// get events` list): the pods' from their workers, the workloads' from their controllers.
    mutating func addEvents(pods: [Pod], layout: NodeLayout) {
        let store = ObjectStore(root: layout.root)
        for pod in pods {
            let events = JSONFile.read([PodEvent].self, from: layout.eventsFile(uid: pod.metadata.uid ?? "")) ?? []
            for event in events { addEvent(event, kind: "Pod", apiVersion: "v1", meta: pod.metadata, component: "kubelet") }
        }
        for kind in ["Deployment", "ReplicaSet", "DaemonSet", "Job", "CronJob", "Service"] {
            let component = kind == "Service" ? "service-controller" : kind.lowercased() + "-controller"
            for object in store.list(kind: kind, namespace: nil) {
                let events = store.events(kind: kind, namespace: object.metadata.namespace ?? ObjectMeta.defaultNamespace, name: object.name)
                for event in events {
                    addEvent(event, kind: kind, apiVersion: object.apiVersion, meta: object.metadata, component: component)
                }
            }
        }
    }

    private mutating func addEvent(_ event: PodEvent, kind: String, apiVersion: String, meta: ObjectMeta, component: String) {
        let namespace = meta.namespace ?? ObjectMeta.defaultNamespace
        let name = meta.name ?? ""
        var hash: UInt64 = 1469598103934665603
        for byte in (event.reason + event.message + "\(event.firstTimestamp.timeIntervalSince1970)").utf8 {
            hash = (hash ^ UInt64(byte)) &* 1099511628211
        }
        let eventName = name + "." + String(hash, radix: 16)
        let stamp = { (date: Date) in KubeTime(truncating: date).description }
        let value: JSONValue = [
            "kind": "Event", "apiVersion": "v1",
            "metadata": ["name": .string(eventName), "namespace": .string(namespace), "creationTimestamp": .string(stamp(event.firstTimestamp))],
            "involvedObject": [
                "kind": .string(kind), "apiVersion": .string(apiVersion), "name": .string(name), "namespace": .string(namespace),
                "uid": .string(meta.uid ?? ""),
            ],
            "reason": .string(event.reason), "message": .string(event.message), "type": .string(event.type),
            "count": .int(Int64(event.count)), "firstTimestamp": .string(stamp(event.firstTimestamp)),
            "lastTimestamp": .string(stamp(event.lastTimestamp)),
            "source": ["component": .string(component), "host": .string(nodeName)], "reportingComponent": .string(component),
            "reportingInstance": .string(nodeName),
        ]
        view.owned[StoreKey(resource: "events", namespace: namespace, name: eventName)] = value
    }
}
