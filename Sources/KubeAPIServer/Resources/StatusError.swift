import APIStore
import Foundation

/// An API error as upstream returns it: a `meta.k8s.io/v1` Status with code, reason,
/// message and details (the object, and for Invalid the field causes).
public struct StatusError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { message }

    /// `pods "web" not found`.
    public static func notFound(_ type: ResourceType, _ name: String) -> StatusError {
        StatusError(code: 404, reason: "NotFound", message: "\(qualified(type)) \"\(name)\" not found",
                    details: details(type, name))
    }

    public static func alreadyExists(_ type: ResourceType, _ name: String) -> StatusError {
        StatusError(code: 409, reason: "AlreadyExists", message: "\(qualified(type)) \"\(name)\" already exists",
                    details: details(type, name))
    }

    public static func conflict(_ type: ResourceType, _ name: String, _ why: String) -> StatusError {
        StatusError(code: 409, reason: "Conflict",
                    message: "Operation cannot be fulfilled on \(qualified(type)) \"\(name)\": \(why)", details: details(type, name))
    }

    /// 422 with one cause per field: `Pod "web" is invalid: spec.containers[0].image: Required value`.
    public static func invalid(kind: String, group: String, name: String, causes: [(field: String, message: String)]) -> StatusError {
        let text = causes.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }
        let message = "\(kind) \"\(name)\" is invalid: " + (text.count == 1 ? text[0] : "[" + text.joined(separator: ", ") + "]")
        let causeValues: [JSONValue] = causes.map { cause in
            .object(["reason": .string(reasonOf(cause.message)), "message": .string(cause.message), "field": .string(cause.field)])
        }
        return StatusError(code: 422, reason: "Invalid", message: message, details: .object([
            "name": .string(name), "group": .string(group), "kind": .string(kind), "causes": .array(causeValues),
        ]))
    }

    public static func badRequest(_ message: String) -> StatusError {
        StatusError(code: 400, reason: "BadRequest", message: message)
    }

    public static func methodNotAllowed(_ message: String) -> StatusError {
        StatusError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func forbidden(_ type: ResourceType, _ name: String, _ why: String) -> StatusError {
        StatusError(code: 403, reason: "Forbidden", message: "\(qualified(type)) \"\(name)\" is forbidden: \(why)",
                    details: details(type, name))
    }

    public static let unauthorized = StatusError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func gone(_ message: String) -> StatusError {
        StatusError(code: 410, reason: "Expired", message: message)
    }

    public static func internalError(_ message: String) -> StatusError {
        StatusError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    /// The Status object.
    public var object: JSONValue {
        var status: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { status["details"] = details }
        return .object(status)
    }

    public var response: APIResponse { .json(object.data(), status: code) }

    /// Maps the store's refusals.
    static func from(_ error: StoreError, type: ResourceType, name: String) -> StatusError {
        switch error {
        case .notFound: return .notFound(type, name)
        case .alreadyExists: return .alreadyExists(type, name)
        case .conflict(_, let why): return .conflict(type, name, why)
        case .gone(let requested, let oldest): return .gone("too old resource version: \(requested) (\(oldest))")
        case .io(let message): return .internalError(message)
        }
    }

    private static func qualified(_ type: ResourceType) -> String { type.qualifiedName }

    private static func details(_ type: ResourceType, _ name: String) -> JSONValue {
        var fields: [String: JSONValue] = ["name": .string(name), "kind": .string(type.plural)]
        if !type.group.isEmpty { fields["group"] = .string(type.group) }
        return .object(fields)
    }

    private static func reasonOf(_ message: String) -> String {
        if message.hasPrefix("Required value") { return "FieldValueRequired" }
        if message.hasPrefix("Unsupported value") { return "FieldValueNotSupported" }
        if message.hasPrefix("Duplicate value") { return "FieldValueDuplicate" }
        if message.hasPrefix("Forbidden") { return "FieldValueForbidden" }
        return "FieldValueInvalid"
    }
}

enum StatusResponse {
    static func requestEntityTooLarge(limit: Int) -> APIResponse {
        StatusError(code: 413, reason: "RequestEntityTooLarge",
                    message: "the request body is larger than the limit of \(limit) bytes").response
    }
}
