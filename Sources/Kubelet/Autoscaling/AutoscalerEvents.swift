import APIStore
import Foundation
import KubeAPI

/// The HPA controller's events, as v1 Events in the API store (`kubectl describe hpa`
/// lists them): a repeat of the same reason and message folds into the earlier event's
/// count, as client-go's event correlator does.
enum AutoscalerEvents {
    static func record(_ store: ResourceStore, namespace: String, hpa: String, uid: String?,
                       _ event: (type: String, reason: String, message: String), now: Date) {
        let name = hpa + "." + fnv(event.reason + "/" + event.message)
        let time = JSONValue.string(KubeTime(now).description)
        _ = try? store.write(StoreKey(resource: "events", namespace: namespace, name: name)) { current in
            if var current {
                current["count"] = .int((current["count"]?.int ?? 1) + 1)
                current["lastTimestamp"] = time
                return current
            }
            var involved: [String: JSONValue] = [
                "kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2", "namespace": .string(namespace), "name": .string(hpa),
            ]
            if let uid { involved["uid"] = .string(uid) }
            return [
                "kind": "Event", "apiVersion": "v1",
                "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(UUID().uuidString.lowercased()), "creationTimestamp": time],
                "involvedObject": .object(involved), "reason": .string(event.reason), "message": .string(event.message),
                "type": .string(event.type), "source": ["component": "horizontal-pod-autoscaler"],
                "firstTimestamp": time, "lastTimestamp": time, "count": 1, "reportingComponent": "horizontal-pod-autoscaler",
            ]
        }
    }

    /// A short stable hex name suffix (FNV-1a, 64 bit).
    static func fnv(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
