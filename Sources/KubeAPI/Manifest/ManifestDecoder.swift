import Foundation
import Yams

/// Decodes manifest files (multi-document YAML or JSON) into typed objects, applying
/// upstream defaults and validation. Pure: it only reads the bytes it is given, and never
/// throws — every document yields a `ManifestResult`, problems as one-line errors.
public struct ManifestDecoder: Sendable {
    /// Files larger than this are refused whole (10 MiB).
    public static let maxFileSize = 10 * 1024 * 1024
    /// Documents nesting deeper than this are refused.
    public static let maxDepth = 100
    /// Documents expanding (through YAML aliases) to more nodes than this are refused.
    public static let maxNodes = 1_000_000

    public var applyDefaults: Bool
    public var validate: Bool

    public init(applyDefaults: Bool = true, validate: Bool = true) {
        self.applyDefaults = applyDefaults
        self.validate = validate
    }

    /// Decodes every document of a file.
    public func decode(fileName: String, bytes: [UInt8]) -> [ManifestResult] {
        let fileLocation = ManifestLocation(fileName: fileName)
        func refuse(_ message: String) -> [ManifestResult] {
            [.failure(ManifestError(location: fileLocation, errors: [FieldError(field: "", message: message)]))]
        }
        guard bytes.count <= ManifestDecoder.maxFileSize else {
            return refuse("file is \(bytes.count) bytes, larger than the limit of \(ManifestDecoder.maxFileSize) bytes")
        }
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        guard let text = String(validating: content, as: UTF8.self) else {
            return refuse("not a text manifest: invalid UTF-8 (binary data?)")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
            return refuse(String(format: "not a text manifest: control character 0x%02x (binary data?)", bad.value))
        }
        // Documents before a refused one are decoded; the refused one ends the file, as a
        // syntax error does.
        let refusal = YAMLEventScanner.check(Array(content), depthLimit: ManifestDecoder.maxDepth)

        var results: [ManifestResult] = []
        let parser: Parser
        do {
            parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
        } catch {
            return [.failure(ManifestError(location: ManifestLocation(fileName: fileName, document: 1),
                errors: [FieldError(field: "", message: ManifestDecoder.describe(yamlError: error))]))]
        }
        var documentIndex = 0
        while true {
            documentIndex += 1
            let location = ManifestLocation(fileName: fileName, document: documentIndex)
            if let refusal, refusal.document == documentIndex {
                let message: String
                switch refusal.reason {
                case .tooDeep: message = "nesting deeper than \(ManifestDecoder.maxDepth) levels"
                case .complexKey(let line): message = "line \(line): a mapping key must be a plain value, not an alias or a collection"
                }
                results.append(.failure(ManifestError(location: location, errors: [FieldError(field: "", message: message)])))
                break
            }
            let node: Node
            do {
                guard let next = try parser.nextRoot() else { break }
                node = next
            } catch {
                results.append(.failure(ManifestError(location: location,
                    errors: [FieldError(field: "", message: ManifestDecoder.describe(yamlError: error))])))
                break
            }
            var builder = ManifestValueBuilder(maxDepth: ManifestDecoder.maxDepth, maxNodes: ManifestDecoder.maxNodes)
            let value: ManifestValue
            do {
                value = try builder.build(node)
            } catch let failure as ManifestValueBuilder.Failure {
                let error: FieldError
                switch failure {
                case .tooDeep(let path):
                    let shown = path.count > 60 ? String(path.prefix(60)) + "..." : path
                    error = FieldError(field: shown, message: "nesting deeper than \(ManifestDecoder.maxDepth) levels")
                case .tooLarge: error = FieldError(field: "", message: "document expands to more than \(ManifestDecoder.maxNodes) nodes")
                case .invalid(let path, let message): error = FieldError(field: path, message: message)
                }
                results.append(.failure(ManifestError(location: location, errors: [error])))
                continue
            } catch {
                results.append(.failure(ManifestError(location: location, errors: [FieldError(field: "", message: "\(error)")])))
                continue
            }
            if case .null = value { continue }  // an empty document, e.g. a trailing `---`
            results += decodeDocument(value, location: location)
        }
        return results
    }

    /// Decodes every document of a file.
    public func decode(fileName: String, bytes: Data) -> [ManifestResult] {
        decode(fileName: fileName, bytes: [UInt8](bytes))
    }

    /// Decodes every document of a text.
    public func decode(fileName: String, text: String) -> [ManifestResult] {
        decode(fileName: fileName, bytes: Array(text.utf8))
    }

    // MARK: - One document

    func decodeDocument(_ value: ManifestValue, location: ManifestLocation) -> [ManifestResult] {
        guard case .object = value else {
            return [.failure(ManifestError(location: location,
                errors: [FieldError(field: "", message: "expected an object with apiVersion and kind, found a \(value.typeName)")]))]
        }
        let rawKind = value["kind"]?.stringValue
        let rawName = value["metadata"]?["name"]?.stringValue
        func fail(_ errors: [FieldError]) -> [ManifestResult] {
            [.failure(ManifestError(location: location, kind: rawKind, name: rawName, errors: errors))]
        }
        guard let kindValue = value["kind"], case .string(let kind) = kindValue, !kind.isEmpty else {
            return fail([value["kind"].map { .invalid("kind", FieldError.Verbatim($0.errorDescription), "must be a string") } ?? .required("kind")])
        }
        guard let apiValue = value["apiVersion"], case .string(let apiVersion) = apiValue, !apiVersion.isEmpty else {
            return fail([value["apiVersion"].map { .invalid("apiVersion", FieldError.Verbatim($0.errorDescription), "must be a string") } ?? .required("apiVersion")])
        }
        if kind == "List", location.item == nil {
            guard case .array(let items)? = value["items"] else { return fail([.required("items")]) }
            return items.enumerated().flatMap { index, item in
                decodeDocument(item, location: ManifestLocation(fileName: location.fileName, document: location.document, item: index))
            }
        }
        guard KubeObject.supportedKinds.contains(where: { $0.apiVersion == apiVersion && $0.kind == kind }) else {
            return [.unknownKind(location, apiVersion: apiVersion, kind: kind)]
        }

        var input = value
        if input["metadata"] == nil || input["metadata"] == .null { input = input.setting("metadata", to: .object([])) }
        if ["Pod", "Service", "Deployment", "ReplicaSet", "DaemonSet", "Job", "CronJob"].contains(kind),
            input["spec"] == nil || input["spec"] == .null
        {
            input = input.setting("spec", to: .object([]))
        }
        var warnings: [String] = []
        if kind == "Secret", let stringData = input["stringData"] {
            // The API server folds write-only stringData into data; stringData wins.
            guard case .object(let pairs) = stringData else {
                return fail([.invalid("stringData", FieldError.Verbatim(stringData.errorDescription), "must be a map of strings")])
            }
            var data = input["data"] ?? .object([])
            for (key, item) in pairs {
                guard case .string(let text) = item else {
                    return fail([.invalid("stringData[\(key)]", FieldError.Verbatim(item.errorDescription), "must be a string")])
                }
                data = data.setting(key, to: .string(Data(text.utf8).base64EncodedString()))
            }
            input = input.setting("data", to: data).removing("stringData")
        }

        var object: KubeObject
        let valueDecoder = ManifestValueDecoder()
        do {
            object = try valueDecoder.decode(KubeObject.self, from: input)
        } catch let error as DecodingError {
            return fail([ManifestDecoder.fieldError(for: error, in: input)])
        } catch {
            return fail([FieldError(field: "", message: "\(error)")])
        }
        warnings += valueDecoder.unusedFields(in: input).map { "unknown field \"\($0)\"" }
        if applyDefaults { object.applyDefaults() }
        if validate {
            let errors = object.validate()
            if !errors.isEmpty {
                return [.failure(ManifestError(location: location, kind: kind, name: object.metadata.name ?? rawName, errors: errors))]
            }
        }
        return [.object(DecodedObject(location: location, object: object, warnings: warnings))]
    }

    // MARK: - Errors

    static func describe(yamlError error: Error) -> String {
        guard let yaml = error as? YamlError else { return "\(error)" }
        func context(_ context: YamlError.Context?) -> String {
            context.map { " \($0.text)" } ?? ""
        }
        switch yaml {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
            .composer(let ctx, let problem, let mark, _):
            return "yaml: line \(mark.line), column \(mark.column): \(problem)\(context(ctx))"
        case .reader(let problem, let offset, _, _):
            return "yaml: \(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let ctx):
            return "yaml: line \(ctx.mark.line): mapping key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) already defined"
        default:
            return "yaml: \(yaml)".split(separator: "\n").first.map(String.init) ?? "yaml: invalid document"
        }
    }

    /// Renders a coding path as an upstream field path: `spec.containers[0].resources.limits[memory]`.
    static func fieldPath(_ path: [CodingKey]) -> String {
        var text = ""
        for key in path {
            let isField = String(describing: type(of: key)).contains("CodingKeys")
            if isField {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            } else if let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue == "super" {
                continue
            } else {
                text += "[\(key.stringValue)]"
            }
        }
        return text
    }

    static func value(at path: [CodingKey], in root: ManifestValue) -> ManifestValue? {
        var current: ManifestValue? = root
        for key in path {
            switch current {
            case .object?:
                current = current?[key.stringValue]
            case .array(let items)?:
                guard let index = key.intValue, items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    static func fieldError(for error: DecodingError, in input: ManifestValue) -> FieldError {
        switch error {
        case .keyNotFound(let key, let context):
            return .required(fieldPath(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            return .required(fieldPath(context.codingPath))
        case .typeMismatch(_, let context):
            let found = value(at: context.codingPath, in: input)
            let expected = context.debugDescription.hasPrefix("expected ")
                ? String(context.debugDescription.dropFirst(9).prefix { $0 != "," }) : "of another type"
            return FieldError(field: fieldPath(context.codingPath),
                message: "Invalid value: \(found?.errorDescription ?? "?"): must be \(expected)")
        case .dataCorrupted(let context):
            let found = value(at: context.codingPath, in: input)
            let detail = context.debugDescription
            if detail.hasPrefix("Invalid value") {
                return FieldError(field: fieldPath(context.codingPath), message: detail)
            }
            return FieldError(field: fieldPath(context.codingPath),
                message: "Invalid value: \(found?.errorDescription ?? "?"): \(detail)")
        @unknown default:
            return FieldError(field: "", message: "\(error)")
        }
    }

}
