/// One problem with one field, in upstream's words: `spec.containers[0].image: Required value`.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field path, e.g. `spec.containers[0].ports[1].containerPort`; empty for the whole object.
    public var field: String
    /// `Required value`, `Invalid value: "x": reason`, `Unsupported value: …`, `Duplicate value: …`.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { FieldError.oneLine(field.isEmpty ? message : "\(field): \(message)") }

    /// `text` with its control and line-separator characters escaped (`\n`, `\u{1b}`), so a
    /// message quoting a user's value, name or map key stays the one line users are promised.
    static func oneLine(_ text: String) -> String {
        func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: true
            default: false
            }
        }
        guard text.unicodeScalars.contains(where: breaksLine) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n".unicodeScalars
            case "\r": escaped += "\\r".unicodeScalars
            case "\t": escaped += "\\t".unicodeScalars
            case _ where breaksLine(scalar): escaped += "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// A required field is missing.
    public static func required(_ field: String, _ detail: String? = nil) -> FieldError {
        FieldError(field: field, message: "Required value" + (detail.map { ": \($0)" } ?? ""))
    }

    /// A field holds a value upstream refuses; `value` is shown quoted when it is a string.
    public static func invalid(_ field: String, _ value: Any, _ detail: String) -> FieldError {
        FieldError(field: field, message: "Invalid value: \(quote(value)): \(detail)")
    }

    /// A field holds a value outside a fixed set.
    public static func unsupported(_ field: String, _ value: Any, supported: [String]) -> FieldError {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return FieldError(field: field, message: "Unsupported value: \(quote(value)): supported values: \(list)")
    }

    /// A value that must be unique appears twice.
    public static func duplicate(_ field: String, _ value: Any) -> FieldError {
        FieldError(field: field, message: "Duplicate value: \(quote(value))")
    }

    /// A field that must not be set together with another.
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(field: field, message: "Forbidden: \(detail)")
    }

    /// A value beyond a size limit.
    public static func tooLong(_ field: String, max: Int) -> FieldError {
        FieldError(field: field, message: "Too long: may not be more than \(max) bytes")
    }

    /// A value shown exactly as given (already formatted), never quoted again.
    public struct Verbatim: CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    static func quote(_ value: Any) -> String {
        if let text = value as? String { return "\"\(text)\"" }
        if let text = value as? CustomStringConvertible, value is any OpenEnum { return "\"\(text.description)\"" }
        return "\(value)"
    }
}

/// Where in a manifest file an object came from: the file, the document (1-based), and the
/// item within a `kind: List` document.
public struct ManifestLocation: Sendable, Hashable, CustomStringConvertible {
    public var fileName: String
    /// 1-based; nil when the problem concerns the whole file (too big, not text).
    public var document: Int?
    /// 0-based index in the `items` of a `kind: List` document.
    public var item: Int?

    public init(fileName: String, document: Int? = nil, item: Int? = nil) {
        self.fileName = fileName
        self.document = document
        self.item = item
    }

    public var description: String {
        var text = fileName
        if let document { text += ": document \(document)" }
        if let item { text += " item \(item)" }
        return text
    }
}

/// Why a manifest document was refused. Its description is one line naming the file, the
/// document, the object and the fields:
/// `bad.yaml: document 2 (Pod/web): spec.containers[0].image: Required value`.
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: ManifestLocation
    public var kind: String?
    public var name: String?
    public var errors: [FieldError]

    public init(location: ManifestLocation, kind: String? = nil, name: String? = nil, errors: [FieldError]) {
        self.location = location
        self.kind = kind
        self.name = name
        self.errors = errors
    }

    public var description: String {
        var text = location.description
        switch (kind, name) {
        case (let kind?, let name?) where !name.isEmpty: text += " (\(kind)/\(name))"
        case (let kind?, _): text += " (\(kind))"
        default: break
        }
        return FieldError.oneLine(text) + ": " + errors.map(\.description).joined(separator: "; ")
    }
}
