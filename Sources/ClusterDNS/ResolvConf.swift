/// The parts of a resolv.conf(5) the node reads: its nameservers (the cluster DNS forwards
/// to them) and its search list (a ClusterFirst pod's resolv.conf ends with it).
public struct ResolvConf: Sendable, Equatable {
    public var nameservers: [String]
    /// The last `search` or `domain` line wins, as in the resolver.
    public var search: [String]

    public init(parsing text: String) {
        nameservers = []
        search = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let key = fields.first else { continue }
            if key == "nameserver", fields.count > 1 { nameservers.append(String(fields[1])) }
            if key == "search" || key == "domain" { search = fields.dropFirst().map(String.init) }
        }
    }
}
