import CDigest

/// SHA-256 of a byte sequence: kube-proxy names its chains after this digest. libcrypto's
/// (through CDigest), so the module carries no hash code of its own.
enum SHA256 {
    /// The 32-byte digest of `message`.
    static func digest<Bytes: Collection>(_ message: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        let bytes = Array(message)
        var out = [UInt8](repeating: 0, count: 32)
        let rc = bytes.withUnsafeBytes { cdg_sha256($0.baseAddress, $0.count, &out) }
        // EVP_Digest fails only when libcrypto cannot allocate: nothing to name a chain by.
        precondition(rc == 0, "libcrypto SHA-256 failed")
        return out
    }
}
