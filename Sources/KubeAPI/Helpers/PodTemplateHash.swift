/// The `pod-template-hash` label a Deployment puts on its ReplicaSets and pods, computed as
/// upstream's `controller.ComputeHash`: FNV-1a (32 bit) of the template, plus the collision
/// count, printed in decimal and mapped onto the safe alphabet `bcdfghjklmnpqrstvwxz2456789`.
public enum PodTemplateHash {
    /// The label key.
    public static let label = "pod-template-hash"
    /// Upstream's `rand` alphabet (no vowels, no look-alikes), also for generated name suffixes.
    public static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// A short stable hash of the template; equal templates give equal hashes.
    public static func of(_ template: PodTemplateSpec, collisionCount: Int? = nil) -> String {
        var hash = Digest.fnv32a(Digest.canonicalJSON(template))
        if let collisionCount {
            let count = UInt32(truncatingIfNeeded: collisionCount)
            hash = Digest.fnv32a((0..<4).map { UInt8(truncatingIfNeeded: count >> (8 * UInt32($0))) }, seed: hash)
        }
        return safeEncode(String(hash))
    }

    /// Upstream `rand.SafeEncodeString`: each byte picks a character of the alphabet.
    static func safeEncode(_ text: String) -> String {
        String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}
