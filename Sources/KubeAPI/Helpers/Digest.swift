import CDigest
import Foundation

/// The hash functions upstream uses for identities: MD5 for static pod UIDs (the kubelet's
/// `config.hash`) and FNV-1a for pod-template-hash. Not for security.
enum Digest {
    /// 32-bit FNV-1a.
    static func fnv32a(_ bytes: [UInt8], seed: UInt32 = 2_166_136_261) -> UInt32 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    /// MD5 (RFC 1321) as 32 lowercase hex characters, from libcrypto (through CDigest).
    static func md5Hex(_ message: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        let rc = message.withUnsafeBytes { cdg_md5($0.baseAddress, $0.count, &out) }
        // EVP_Digest fails only when libcrypto cannot allocate: no uid to give.
        precondition(rc == 0, "libcrypto MD5 failed")
        let hex = Array("0123456789abcdef")
        return String(out.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }

    /// Stable JSON for hashing: sorted keys, so equal objects hash equally.
    static func canonicalJSON<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? []
    }
}
