/// Why a byte string is not a DNS message; `offset` is where reading stopped.
public struct DNSParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case truncated = "message ends inside a field"
        case badLabel = "reserved label type"
        case compressionLoop = "compression pointer does not point backwards"
        case nameTooLong = "name longer than 255 bytes"
        case badRecordData = "record data does not match its type"
        case trailingBytes = "bytes after the last record"
    }

    public var reason: Reason
    public var offset: Int

    public var description: String { "DNS message: \(reason.rawValue) at byte \(offset)" }
}

extension DNSMessage {
    /// Parses a message in wire format. Every read is bounds-checked, compression pointers
    /// must point strictly backwards (so they cannot loop), and names stay within 255 bytes.
    public init(bytes: [UInt8]) throws(DNSParseError) {
        var reader = DNSReader(bytes: bytes)
        id = try reader.u16()
        let flags = try reader.u16()
        isResponse = flags & 0x8000 != 0
        opcode = UInt8((flags >> 11) & 0x0F)
        authoritative = flags & 0x0400 != 0
        truncated = flags & 0x0200 != 0
        recursionDesired = flags & 0x0100 != 0
        recursionAvailable = flags & 0x0080 != 0
        authenticData = flags & 0x0020 != 0
        checkingDisabled = flags & 0x0010 != 0
        rcode = DNSResponseCode(rawValue: UInt8(flags & 0x000F))
        let counts = (try reader.u16(), try reader.u16(), try reader.u16(), try reader.u16())
        questions = []
        answers = []
        authorities = []
        additionals = []
        // Counts come from the sender: never reserve capacity from them.
        for _ in 0..<counts.0 {
            let name = try reader.name()
            questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: try reader.u16()),
                                         recordClass: DNSRecordClass(rawValue: try reader.u16())))
        }
        for _ in 0..<counts.1 { answers.append(try reader.record()) }
        for _ in 0..<counts.2 { authorities.append(try reader.record()) }
        for _ in 0..<counts.3 { additionals.append(try reader.record()) }
        guard reader.offset == bytes.count else { throw DNSParseError(reason: .trailingBytes, offset: reader.offset) }
    }

    /// The id of a message too broken to parse, so a FORMERR can still be addressed.
    public static func id(ofMalformed bytes: [UInt8]) -> UInt16? {
        bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil
    }
}

/// A bounds-checked cursor over a message.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() throws(DNSParseError) -> UInt8 {
        guard offset < bytes.count else { throw DNSParseError(reason: .truncated, offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSParseError) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(DNSParseError) -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }

    mutating func take(_ count: Int) throws(DNSParseError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw DNSParseError(reason: .truncated, offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed name; the cursor ends after the name's bytes in place.
    mutating func name() throws(DNSParseError) -> DNSName {
        var labels: [[UInt8]] = []
        var length = 1
        var position = offset
        // The lowest offset read so far: every pointer must jump below it, so reading ends.
        var floor = offset
        var resumeAt: Int?
        while true {
            guard position < bytes.count else { throw DNSParseError(reason: .truncated, offset: position) }
            let byte = bytes[position]
            switch byte & 0xC0 {
            case 0x00:
                let count = Int(byte)
                if count == 0 {
                    offset = resumeAt ?? position + 1
                    return DNSName(labels: labels)
                }
                guard position + 1 + count <= bytes.count else { throw DNSParseError(reason: .truncated, offset: position) }
                length += 1 + count
                guard length <= DNSName.maxWireLength else { throw DNSParseError(reason: .nameTooLong, offset: position) }
                labels.append(Array(bytes[position + 1...position + count]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw DNSParseError(reason: .truncated, offset: position) }
                let target = Int(byte & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < floor else { throw DNSParseError(reason: .compressionLoop, offset: position) }
                if resumeAt == nil { resumeAt = position + 2 }
                floor = target
                position = target
            default:
                throw DNSParseError(reason: .badLabel, offset: position)
            }
        }
    }

    mutating func record() throws(DNSParseError) -> DNSResourceRecord {
        let owner = try name()
        let type = DNSRecordType(rawValue: try u16())
        let recordClass = DNSRecordClass(rawValue: try u16())
        let ttl = try u32()
        let length = Int(try u16())
        let start = offset
        guard length <= bytes.count - start else { throw DNSParseError(reason: .truncated, offset: start) }
        let end = start + length
        let data: DNSRecordData
        switch type {
        case .a where length == 4: data = .a(try take(4))
        case .aaaa where length == 16: data = .aaaa(try take(16))
        case .a, .aaaa: throw DNSParseError(reason: .badRecordData, offset: start)
        case .ns: data = .ns(try name())
        case .cname: data = .cname(try name())
        case .ptr: data = .ptr(try name())
        case .soa:
            data = .soa(DNSStartOfAuthority(primaryNameServer: try name(), mailbox: try name(), serial: try u32(),
                                            refresh: try u32(), retry: try u32(), expire: try u32(),
                                            minimumTTL: try u32()))
        case .srv:
            data = .srv(priority: try u16(), weight: try u16(), port: try u16(), target: try name())
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end { strings.append(try take(Int(try u8()))) }
            data = .txt(strings)
        default:
            data = .other(type: type, rdata: try take(length))
        }
        guard offset == end else { throw DNSParseError(reason: .badRecordData, offset: start) }
        return DNSResourceRecord(name: owner, recordClass: recordClass, ttl: ttl, data: data)
    }
}
