/// The outcome of decoding one document (or one List item) of a manifest file.
public enum ManifestResult: Sendable, Hashable {
    /// A decoded, defaulted and validated object.
    case object(DecodedObject)
    /// A well-formed object of a kind Swiftlet does not handle; callers warn about it.
    case unknownKind(ManifestLocation, apiVersion: String, kind: String)
    /// A document that could not be decoded or failed validation.
    case failure(ManifestError)

    /// The decoded object, if any.
    public var object: DecodedObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The error, if any.
    public var error: ManifestError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// An object decoded from a manifest, with where it came from and any warnings
/// (unknown fields, for instance) that did not stop it.
public struct DecodedObject: Sendable, Hashable {
    public var location: ManifestLocation
    public var object: KubeObject
    public var warnings: [String]

    public init(location: ManifestLocation, object: KubeObject, warnings: [String] = []) {
        self.location = location
        self.object = object
        self.warnings = warnings
    }
}

extension ManifestResult: CustomStringConvertible {
    /// One line: the object decoded, the unknown kind (in upstream's words), or the error.
    public var description: String {
        switch self {
        case .object(let decoded):
            return "\(decoded.location) (\(decoded.object.kind)/\(decoded.object.name))"
        case .unknownKind(let location, let apiVersion, let kind):
            return "\(location): no matches for kind \"\(kind)\" in version \"\(apiVersion)\""
        case .failure(let error):
            return error.description
        }
    }
}
