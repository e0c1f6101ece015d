import Foundation

/// Builds ustar archives byte by byte, so tests can craft entries no tar tool would write
/// (`../` names, links out of the tree, whiteouts) without any tool's own safety checks.
struct ImageTarBuilder {
    private(set) var data = Data()

    enum Kind: UInt8 {
        case file = 0x30, hardlink = 0x31, symlink = 0x32, char = 0x33, block = 0x34, directory = 0x35, fifo = 0x36
        case pax = 0x78
    }

    mutating func add(_ name: String, _ kind: Kind = .file, content: Data = Data(), mode: Int = 0o644, uid: Int = 0, gid: Int = 0,
                      mtime: Int = 1_000_000, link: String = "", major: Int = 0, minor: Int = 0, xattrs: [String: String] = [:]) {
        if !xattrs.isEmpty {
            var records = Data()
            for (key, value) in xattrs.sorted(by: { $0.key < $1.key }) {
                let body = " SCHILY.xattr.\(key)=\(value)\n"
                var length = body.utf8.count + 1
                while "\(length)".count + body.utf8.count != length { length = "\(length)".count + body.utf8.count }
                records.append(Data("\(length)\(body)".utf8))
            }
            header("PaxHeaders/x", .pax, size: records.count, mode: 0o644, uid: 0, gid: 0, mtime: mtime, link: "", major: 0, minor: 0)
            append(records)
        }
        header(name, kind, size: kind == .file ? content.count : 0, mode: mode, uid: uid, gid: gid, mtime: mtime, link: link, major: major, minor: minor)
        if kind == .file { append(content) }
    }

    mutating func file(_ name: String, _ text: String, mode: Int = 0o644) {
        add(name, content: Data(text.utf8), mode: mode)
    }

    mutating func directory(_ name: String, mode: Int = 0o755) {
        add(name, .directory, mode: mode)
    }

    /// The archive with its two zero end blocks.
    func finished() -> Data {
        var out = data
        out.append(Data(count: 1024))
        return out
    }

    private mutating func append(_ content: Data) {
        data.append(content)
        let pad = (512 - content.count % 512) % 512
        data.append(Data(count: pad))
    }

    private mutating func header(_ name: String, _ kind: Kind, size: Int, mode: Int, uid: Int, gid: Int, mtime: Int, link: String, major: Int, minor: Int) {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int, _ width: Int) {
            let bytes = Array(text.utf8)
            precondition(bytes.count <= width, "tar field too long: \(text)")
            for (i, b) in bytes.enumerated() { block[offset + i] = b }
        }
        func octal(_ value: Int, _ offset: Int, _ width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: width - 1 - digits.count) + digits, offset, width - 1)
        }
        put(name, 0, 100)
        octal(mode, 100, 8)
        octal(uid, 108, 8)
        octal(gid, 116, 8)
        octal(size, 124, 12)
        octal(mtime, 136, 12)
        block[156] = kind.rawValue
        put(link, 157, 100)
        put("ustar", 257, 6)
        put("00", 263, 2)
        octal(major, 329, 8)
        octal(minor, 337, 8)
        for i in 148..<156 { block[i] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - digits.count) + digits, 148, 6)
        block[154] = 0
        block[155] = 0x20
        data.append(contentsOf: block)
    }
}
