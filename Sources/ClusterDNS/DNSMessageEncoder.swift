extension DNSMessage {
    /// The wire form. Owner names and names inside NS/CNAME/PTR/SOA are compressed (SRV
    /// targets are not, per RFC 2782). With `maxSize` (a UDP limit), records that do not
    /// fit are left out whole: a missing answer or authority record sets the TC bit so the
    /// client retries over TCP; missing additional records do not (RFC 2181 §9). An EDNS0
    /// OPT record is always kept.
    public func encoded(maxSize: Int? = nil) -> [UInt8] {
        var writer = DNSWriter()
        let opt = additionals.first { $0.type == .opt }
        let optSize = opt.map { 11 + Self.rdataLength(of: $0.data) } ?? 0
        let limit = maxSize.map { max(0, $0 - optSize) } ?? Int.max

        writer.u16(id)
        writer.u16(0)  // flags, written last: TC depends on what fits
        writer.u16(UInt16(clamping: questions.count))
        for _ in 0..<3 { writer.u16(0) }
        for question in questions {
            writer.name(question.name)
            writer.u16(question.type.rawValue)
            writer.u16(question.recordClass.rawValue)
        }

        var truncated = self.truncated
        var counts = [0, 0, 0]
        var full = false
        let sections = [answers, authorities, additionals.filter { $0.type != .opt }]
        for (index, records) in sections.enumerated() where !full {
            for record in records {
                let start = writer.bytes.count
                writer.record(record)
                if writer.bytes.count > limit || counts[index] == Int(UInt16.max) {
                    writer.rollBack(to: start)
                    full = true
                    if index < 2 { truncated = true }
                    break
                }
                counts[index] += 1
            }
        }
        if let opt {
            writer.record(opt)
            counts[2] += 1
        }

        var flags: UInt16 = UInt16(opcode & 0x0F) << 11 | UInt16(rcode.rawValue)
        if isResponse { flags |= 0x8000 }
        if authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        writer.set(flags, at: 2)
        for (index, count) in counts.enumerated() { writer.set(UInt16(count), at: 6 + 2 * index) }
        return writer.bytes
    }

    /// Uncompressed RDATA length, to reserve room for the OPT record.
    static func rdataLength(of data: DNSRecordData) -> Int {
        var writer = DNSWriter(compress: false)
        writer.rdata(data)
        return writer.bytes.count
    }
}

/// Appends wire-format fields, remembering where names were written for compression.
struct DNSWriter {
    var bytes: [UInt8] = []
    /// Lower-cased name suffix -> offset where it was written (pointers reach 0x3FFF).
    var offsets: [String: Int] = [:]
    var compress = true

    init(compress: Bool = true) {
        self.compress = compress
        bytes.reserveCapacity(512)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xFFFF))
    }

    /// Forgets everything written from `offset` on, compression targets included.
    mutating func rollBack(to offset: Int) {
        bytes.removeSubrange(offset...)
        offsets = offsets.filter { $0.value < offset }
    }

    mutating func set(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(value & 0xFF)
    }

    mutating func name(_ name: DNSName, compressible: Bool = true) {
        for index in name.labels.indices {
            let suffix = DNSName(labels: Array(name.labels[index...])).key
            if compress && compressible, let target = offsets[suffix] {
                u16(0xC000 | UInt16(target))
                return
            }
            if compress && bytes.count <= 0x3FFF && offsets[suffix] == nil { offsets[suffix] = bytes.count }
            let label = name.labels[index].prefix(63)
            u8(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        u8(0)
    }

    mutating func record(_ record: DNSResourceRecord) {
        name(record.name)
        u16(record.type.rawValue)
        u16(record.recordClass.rawValue)
        u32(record.ttl)
        let lengthAt = bytes.count
        u16(0)
        rdata(record.data)
        set(UInt16(clamping: bytes.count - lengthAt - 2), at: lengthAt)
    }

    mutating func rdata(_ data: DNSRecordData) {
        switch data {
        case .a(let address), .aaaa(let address):
            bytes.append(contentsOf: address)
        case .ns(let target), .cname(let target), .ptr(let target):
            name(target)
        case .soa(let soa):
            name(soa.primaryNameServer)
            name(soa.mailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimumTTL] { u32(value) }
        case .txt(let strings):
            for string in strings {
                let chunk = string.prefix(255)
                u8(UInt8(chunk.count))
                bytes.append(contentsOf: chunk)
            }
        case .srv(let priority, let weight, let port, let target):
            u16(priority)
            u16(weight)
            u16(port)
            name(target, compressible: false)
        case .other(_, let rdata):
            bytes.append(contentsOf: rdata.prefix(Int(UInt16.max)))
        }
    }
}
