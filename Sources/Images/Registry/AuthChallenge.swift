/// One `WWW-Authenticate` challenge: its scheme (`Bearer`, `Basic`) and parameters
/// (`realm`, `service`, `scope`), parsed as RFC 7235 writes them.
struct AuthChallenge: Equatable {
    var scheme: String
    var parameters: [String: String]

    /// Every challenge in one header value (`Bearer realm="…",service="…"`).
    static func parse(_ header: String) -> [AuthChallenge] {
        var challenges: [AuthChallenge] = []
        var rest = Substring(header)
        func skipSpaces() { rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," } }
        func token() -> Substring {
            let value = rest.prefix { !" \t,=\"".contains($0) }
            rest = rest.dropFirst(value.count)
            return value
        }
        skipSpaces()
        while !rest.isEmpty {
            let scheme = token()
            if scheme.isEmpty { break }
            var parameters: [String: String] = [:]
            while true {
                skipSpaces()
                let save = rest
                let name = token()
                rest = rest.drop { $0 == " " }
                guard !name.isEmpty, rest.first == "=" else {
                    rest = save
                    break
                }
                rest = rest.dropFirst().drop { $0 == " " }
                var value = ""
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    while let c = rest.first, c != "\"" {
                        if c == "\\" { rest = rest.dropFirst() }
                        if let next = rest.first { value.append(next) }
                        rest = rest.dropFirst()
                    }
                    rest = rest.dropFirst()
                } else {
                    value = String(token())
                }
                parameters[name.lowercased()] = value
            }
            challenges.append(AuthChallenge(scheme: scheme.lowercased(), parameters: parameters))
            skipSpaces()
        }
        return challenges
    }
}
