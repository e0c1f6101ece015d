import Foundation
import KubeAPI
import Images
import Runtime

/// Starting containers (image, rootfs, OCI spec, monitor), stopping them with grace, and
/// removing old instances.
extension PodWorker {
    func startContainer(_ start: PodActions.Start, now: Date) {
        guard let container = container(named: start.name) else { return }
        waiting[start.name] = ("ContainerCreating", nil)
        let image: PreparedImage
        do {
            image = try services.images.prepare(container.image ?? "", policy: container.imagePullPolicy ?? .ifNotPresent)
        } catch let error as ImageUnavailable {
            holdBack(start.name, reason: error.reason, message: error.message, event: "\(error.reason): \(error.message)", retryAfter: 5, now: now)
            return
        } catch {
            holdBack(start.name, reason: "ErrImagePull", message: "\(error)", event: "ErrImagePull: \(error)", retryAfter: 5, now: now)
            return
        }
        imageIDs[start.name] = image.id
        let id = ContainerID.make(podUID: uid, container: start.name, attempt: start.attempt)
        let logPath = layout.containerLog(namespace: namespace, pod: name, uid: uid, container: start.name, restartCount: start.attempt)
        let labels = ContainerLabels(
            podUID: uid, podName: name, namespace: namespace, containerName: start.name, attempt: start.attempt,
            isInit: start.isInit, image: container.image ?? "", imageID: image.id, logPath: logPath, createdAt: now)
        do {
            let rootfs = try services.containers.prepare(id: id, labels: labels, layers: image.layers)
            let context = PodContext(
                pod: pod, podIP: podIP, hostIP: services.hostIP, volumePaths: volumePaths ?? [:],
                etcHosts: layout.podHostsFile(uid: uid), resolvConf: layout.podResolvConf(uid: uid),
                hostnameFile: layout.podHostnameFile(uid: uid),
                lookup: { [configSource = services.configSource] kind, namespace, name, _ in configSource(kind, namespace, name) })
            let users = (try? UserDatabase.load(rootfs: rootfs)) ?? UserDatabase()
            let config = try ContainerConfigBuilder.build(container: container, image: image.config, users: users, context: context)
            let pidNamespace = spec.shareProcessNamespace == true ? try sharedPIDNamespace.path() : nil
            let placement = ContainerPlacement(
                networkNamespace: sandbox.networkPath, ipcNamespace: sandbox.ipcPath, utsNamespace: sandbox.utsPath,
                pidNamespace: pidNamespace, cgroupsPath: podCgroup + "/" + id, rootfs: "rootfs")
            let spec = try OCISpecGenerator.spec(for: config, placement: placement)
            try services.containers.start(id: id, spec: spec, logPath: logPath)
            waiting[start.name] = nil
            retryAt[start.name] = nil
            let instance = services.containers.refresh(ContainerInstance(id: id, labels: labels))
            instances[id] = instance
            probes[id] = ContainerProbes(container: container)
            events.record("Normal", "Started", "Started container \(start.name)", at: now)
        } catch let error as ContainerConfigError {
            services.containers.remove(id: id)
            holdBack(start.name, reason: "CreateContainerConfigError", message: error.description, event: error.description, retryAfter: 2, now: now)
        } catch {
            services.containers.remove(id: id)
            holdBack(start.name, reason: "CreateContainerError", message: "\(error)", event: "\(error)", retryAfter: 2, now: now)
            logger.error("start container \(start.name): \(error)")
        }
    }

    /// After a failed start: the container waits with `reason`, a Failed event says
    /// `Error: <event>`, and the next start is tried `retryAfter` seconds on.
    private func holdBack(_ name: String, reason: String, message: String, event: String, retryAfter: TimeInterval, now: Date) {
        waiting[name] = (reason, message)
        retryAt[name] = now.addingTimeInterval(retryAfter)
        events.record("Warning", "Failed", "Error: \(event)", at: now)
    }

    func stopContainer(id: String, grace: TimeInterval) {
        guard let instance = instances[id], instance.exit == nil else { return }
        instances[id] = stopInstance(instance, grace: grace)
    }

    /// preStop, then SIGTERM, then SIGKILL once `grace` has passed; returns the instance
    /// once it has exited. Touches no worker state, so several can run at once.
    func stopInstance(_ instance: ContainerInstance, grace: TimeInterval) -> ContainerInstance {
        let deadline = Date().addingTimeInterval(grace)
        if let container = container(named: instance.labels.containerName), let preStop = container.lifecycle?.preStop {
            if let sleep = preStop.sleep {
                Thread.sleep(forTimeInterval: min(TimeInterval(sleep.seconds), grace))
            } else {
                let runner = ProbeRunner(containers: services.containers)
                _ = runner.run(exec: preStop.exec, httpGet: preStop.httpGet, tcpSocket: preStop.tcpSocket, container: container,
                               pod: pod, instanceID: instance.id, podIP: podIP, timeout: max(1, grace))
            }
        }
        services.containers.signal(id: instance.id, SIGTERM)
        var instance = waitForExit(instance, until: deadline)
        if instance.exit == nil {
            services.containers.signal(id: instance.id, SIGKILL)
            instance = waitForExit(instance, until: Date().addingTimeInterval(10))
        }
        return instance
    }

    private func waitForExit(_ instance: ContainerInstance, until deadline: Date) -> ContainerInstance {
        var instance = services.containers.refresh(instance)
        while instance.exit == nil && instance.monitor != nil && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            instance = services.containers.refresh(instance)
        }
        return instance
    }

    /// Keeps the latest two instances of each container (the current and the last state).
    func collectGarbage() {
        var byName: [String: [ContainerInstance]] = [:]
        for instance in instances.values { byName[instance.labels.containerName, default: []].append(instance) }
        for (_, list) in byName where list.count > 2 {
            for old in list.sorted(by: { $0.labels.attempt > $1.labels.attempt }).dropFirst(2) where old.exit != nil {
                services.containers.remove(id: old.id)
                instances[old.id] = nil
                seenExits.remove(old.id)
            }
        }
    }
}
