import APIStore
import Foundation
import KubeAPI

/// This node as a core/v1 Node: addresses, capacity and allocatable read from the machine
/// (CPUs, memory, pods), the Ready and pressure conditions, and nodeInfo (kernel, OS image,
/// runtime), as the kubelet reports them.
enum NodeObject {
    static let kubeletVersion = "v1.32.0-swiftlet"

    static func make(name: String, address: String?, podCIDR: String, maxPods: Int, started: Date, now: Date = Date()) -> JSONValue {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let memoryKi = ProcessInfo.processInfo.physicalMemory / 1024
        let capacity: JSONValue = [
            "cpu": .string(String(cpus)), "memory": .string("\(memoryKi)Ki"), "pods": .string(String(maxPods)),
            "ephemeral-storage": .string("\(diskKi())Ki"),
        ]
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            [
                "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                "lastHeartbeatTime": .string(stamp(now)), "lastTransitionTime": .string(stamp(started)),
            ]
        }
        var addresses: [JSONValue] = [["type": "Hostname", "address": .string(name)]]
        if let address { addresses.insert(["type": "InternalIP", "address": .string(address)], at: 0) }
        return [
            "kind": "Node", "apiVersion": "v1",
            "metadata": [
                "name": .string(name), "creationTimestamp": .string(stamp(started)),
                "labels": [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": .string(architecture()),
                    "node-role.kubernetes.io/control-plane": "",
                ],
            ],
            "spec": ["podCIDR": .string(podCIDR), "podCIDRs": [.string(podCIDR)]],
            "status": [
                "capacity": capacity, "allocatable": capacity, "addresses": .array(addresses),
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                ],
                "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
                "nodeInfo": [
                    "machineID": .string(read("/etc/machine-id")), "systemUUID": "", "bootID": .string(read("/proc/sys/kernel/random/boot_id")),
                    "kernelVersion": .string(read("/proc/sys/kernel/osrelease")), "osImage": .string(osImage()),
                    "containerRuntimeVersion": "swiftlet://0.1.0", "kubeletVersion": .string(kubeletVersion),
                    "kubeProxyVersion": .string(kubeletVersion), "operatingSystem": "linux", "architecture": .string(architecture()),
                ],
            ],
        ]
    }

    private static func stamp(_ date: Date) -> String { KubeTime(truncating: date).description }

    private static func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func osImage() -> String {
        for line in read("/etc/os-release").split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }

    private static func architecture() -> String {
        var names = utsname()
        uname(&names)
        let machine = withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64": return "arm64"
        default: return machine
        }
    }

    private static func diskKi() -> UInt64 {
        var stats = statvfs()
        guard statvfs("/", &stats) == 0 else { return 0 }
        return UInt64(stats.f_blocks) * UInt64(stats.f_frsize) / 1024
    }
}
