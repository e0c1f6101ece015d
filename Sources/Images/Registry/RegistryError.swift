/// Why a pull failed, as one line carrying the registry's own words where it gave some.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    /// The registry answered with an error status; `errors` are the distribution spec's
    /// `{"errors":[{"code","message"}]}` entries (or the body's first line).
    case response(what: String, status: Int, errors: [String])
    /// Credentials were missing or refused.
    case unauthorized(registry: String, reason: String, errors: [String])
    /// The registry could not be reached (DNS, TCP, TLS, a broken response).
    case transport(registry: String, reason: String)
    /// A manifest we cannot read (schema1, an unknown media type, no entry for this platform).
    case unsupported(what: String, reason: String)
    /// A docker config.json (or the token endpoint's answer) that does not parse.
    case invalidConfig(file: String, reason: String)

    public var description: String {
        switch self {
        case .response(let what, let status, let errors):
            return "\(what): \(errors.isEmpty ? "HTTP \(status)" : errors.joined(separator: "; ") + " (HTTP \(status))")"
        case .unauthorized(let registry, let reason, let errors):
            return "\(registry): unauthorized: \(reason)" + (errors.isEmpty ? "" : ": " + errors.joined(separator: "; "))
        case .transport(let registry, let reason):
            return "\(registry): \(reason)"
        case .unsupported(let what, let reason):
            return "\(what): \(reason)"
        case .invalidConfig(let file, let reason):
            return "\(file): \(reason)"
        }
    }
}
