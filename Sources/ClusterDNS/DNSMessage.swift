/// A DNS message (RFC 1035 §4): header, question and the three record sections. Parsing
/// (`init(bytes:)`) never traps on hostile input; encoding (`encoded(maxSize:)`) compresses
/// names and truncates to a UDP size limit with the TC flag, as servers do.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var authoritative: Bool
    public var truncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    /// The AD and CD bits, carried through unchanged.
    public var authenticData: Bool
    public var checkingDisabled: Bool
    public var rcode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    /// The additional section, including an EDNS0 OPT pseudo-record when present.
    public var additionals: [DNSResourceRecord]

    public init(id: UInt16 = 0, isResponse: Bool = false, opcode: UInt8 = 0, authoritative: Bool = false,
                truncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
                authenticData: Bool = false, checkingDisabled: Bool = false, rcode: DNSResponseCode = .noError,
                questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
                authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = []) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.authoritative = authoritative
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcode = rcode
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// A query for one name and type, with recursion desired as stub resolvers send it.
    public static func query(id: UInt16, name: DNSName, type: DNSRecordType, recursionDesired: Bool = true) -> DNSMessage {
        DNSMessage(id: id, recursionDesired: recursionDesired, questions: [DNSQuestion(name: name, type: type)])
    }

    /// The classic UDP payload limit without EDNS0.
    public static let classicUDPSize = 512

    /// The EDNS0 OPT pseudo-record of the additional section, if any.
    public var ednsOPT: DNSResourceRecord? { additionals.first { $0.type == .opt } }

    /// The UDP payload size the sender can receive: its EDNS0 size (at least 512), else 512.
    public var maxUDPPayloadSize: Int {
        guard let opt = ednsOPT else { return Self.classicUDPSize }
        return max(Self.classicUDPSize, Int(opt.recordClass.rawValue))
    }

    /// A reply skeleton: same id, opcode, question and RD/CD bits, with the QR bit set.
    public func reply(rcode: DNSResponseCode = .noError) -> DNSMessage {
        DNSMessage(id: id, isResponse: true, opcode: opcode, recursionDesired: recursionDesired,
                   checkingDisabled: checkingDisabled, rcode: rcode, questions: questions)
    }
}

/// The RCODE of a response header (RFC 1035 §4.1.1).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE\(rawValue)"
        }
    }
}

/// A record TYPE or query QTYPE.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let any = DNSRecordType(rawValue: 255)

    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .opt: "OPT"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// A record CLASS; for OPT it carries the sender's UDP payload size instead.
public struct DNSRecordClass: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let internet = DNSRecordClass(rawValue: 1)
    public static let any = DNSRecordClass(rawValue: 255)
}

/// One entry of the question section.
public struct DNSQuestion: Sendable, Hashable {
    public var name: DNSName
    public var type: DNSRecordType
    public var recordClass: DNSRecordClass

    public init(name: DNSName, type: DNSRecordType, recordClass: DNSRecordClass = .internet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }
}

/// A resource record of the answer, authority or additional section.
public struct DNSResourceRecord: Sendable, Hashable {
    public var name: DNSName
    public var recordClass: DNSRecordClass
    /// Seconds; for OPT the extended RCODE, version and flags.
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, recordClass: DNSRecordClass = .internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSRecordType { data.type }

    /// An EDNS0 OPT pseudo-record advertising `payloadSize` with no options.
    public static func opt(payloadSize: UInt16) -> DNSResourceRecord {
        DNSResourceRecord(name: .root, recordClass: DNSRecordClass(rawValue: payloadSize), ttl: 0,
                          data: .other(type: .opt, rdata: []))
    }
}

/// The SOA fields (RFC 1035 §3.3.13).
public struct DNSStartOfAuthority: Sendable, Hashable {
    public var primaryNameServer: DNSName
    public var mailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimumTTL: UInt32

    public init(primaryNameServer: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32,
                retry: UInt32, expire: UInt32, minimumTTL: UInt32) {
        self.primaryNameServer = primaryNameServer
        self.mailbox = mailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimumTTL = minimumTTL
    }
}

/// The typed RDATA of the record types the cluster DNS serves; anything else (OPT included)
/// is carried as raw bytes.
public enum DNSRecordData: Sendable, Hashable {
    /// IPv4 address, 4 bytes.
    case a([UInt8])
    /// IPv6 address, 16 bytes.
    case aaaa([UInt8])
    case ns(DNSName)
    case cname(DNSName)
    case ptr(DNSName)
    case soa(DNSStartOfAuthority)
    case txt([[UInt8]])
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    case other(type: DNSRecordType, rdata: [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .soa: .soa
        case .txt: .txt
        case .srv: .srv
        case .other(let type, _): type
        }
    }
}
