/// Turns a Pod read from a manifest file into the static pod the kubelet runs, as the
/// kubelet's file source does (pkg/kubelet/config/common.go `applyDefaults`).
public enum StaticPod {
    public static let configSourceAnnotation = "kubernetes.io/config.source"
    public static let configHashAnnotation = "kubernetes.io/config.hash"
    public static let configMirrorAnnotation = "kubernetes.io/config.mirror"

    /// Names the pod `<name>-<node>`, defaults its namespace, binds it to the node and gives
    /// it the kubelet's UID: the MD5 of the pod, the node and the source, so the same file
    /// on the same node always yields the same UID, and an edited pod a new one (which is
    /// how the kubelet replaces a pod whose file changed). A UID set in the file is kept.
    /// The phase starts as Pending.
    ///
    /// - Parameter source: where the pod came from, normally the manifest file's path.
    public static func prepare(_ pod: Pod, nodeName: String, source: String) -> Pod {
        var pod = pod
        pod.applyDefaults()
        if (pod.metadata.uid ?? "").isEmpty {
            var input = Digest.canonicalJSON(pod)
            input += Array("host:\(nodeName)".utf8)
            input += Array("file:\(source)".utf8)
            pod.metadata.uid = Digest.md5Hex(input)
        }
        pod.metadata.name = "\(pod.metadata.name ?? "")-\(nodeName.lowercased())"
        pod.spec.nodeName = nodeName
        var annotations = pod.metadata.annotations ?? [:]
        annotations[configHashAnnotation] = pod.metadata.uid
        annotations[configSourceAnnotation] = "file"
        annotations[configMirrorAnnotation] = pod.metadata.uid
        pod.metadata.annotations = annotations
        if pod.status == nil { pod.status = PodStatus(phase: .pending) }
        return pod
    }
}
