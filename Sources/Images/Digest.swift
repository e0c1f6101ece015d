import CArchive
import Foundation

/// A content digest, `algorithm:hex` as OCI descriptors carry it; only sha256 is accepted.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let algorithm: String
    public let hex: String

    public init(_ string: String) throws {
        guard let colon = string.firstIndex(of: ":") else {
            throw ImageError.invalidDigest(string, reason: "expected algorithm:hex")
        }
        let algorithm = String(string[..<colon])
        let hex = String(string[string.index(after: colon)...])
        guard algorithm == "sha256" else {
            throw ImageError.invalidDigest(string, reason: "unsupported algorithm \"\(algorithm)\" (only sha256)")
        }
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw ImageError.invalidDigest(string, reason: "sha256 needs 64 lowercase hex digits")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    init(sha256Hex hex: String) {
        self.algorithm = "sha256"
        self.hex = hex
    }

    public var description: String { "\(algorithm):\(hex)" }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    /// The digest of bytes in memory.
    public static func sha256(_ data: Data) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    /// Throws `digestMismatch` naming both digests unless `data` hashes to self.
    public func verify(_ data: Data) throws {
        let actual = Digest.sha256(data)
        guard actual == self else {
            throw ImageError.digestMismatch(expected: description, actual: actual.description)
        }
    }

    public init(from decoder: Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        try self.init(string)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An incremental SHA-256 (libcrypto), for hashing streams as they are copied.
public struct SHA256Hasher: ~Copyable {
    private var context: OpaquePointer?

    public init() {
        context = car_sha256_new()
        precondition(context != nil, "libcrypto could not allocate a SHA-256 context")
    }

    deinit { car_sha256_free(context) }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        _ = car_sha256_update(context, base, buffer.count)
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public consuming func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        let ctx = context
        context = nil
        _ = car_sha256_final(ctx, &out)
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in out {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return Digest(sha256Hex: String(decoding: hex, as: UTF8.self))
    }
}
