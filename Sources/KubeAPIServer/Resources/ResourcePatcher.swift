import APIStore
import Foundation

/// PATCH: JSON patch, merge patch or strategic merge patch, chosen by Content-Type, applied
/// to the stored object under the store's lock, then checked like an update.
struct ResourcePatcher {
    let handlers: ResourceHandlers

    func patch(_ request: APIRequest, path: ResourcePath) throws -> APIResponse {
        let contentType = (request.header("content-type") ?? "").split(separator: ";").first.map(String.init) ?? ""
        guard let patch = JSONValue.parse(request.body) else {
            throw StatusError.badRequest("the body of the request could not be decoded as JSON")
        }
        let apply: (JSONValue) throws -> JSONValue
        switch contentType {
        case "application/json-patch+json":
            apply = { target in
                do {
                    return try JSONPatch.apply(patch, to: target)
                } catch let failure as JSONPatch.Failure {
                    throw StatusError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(failure.description)")
                }
            }
        case "application/merge-patch+json":
            apply = { MergePatch.apply(patch, to: $0) }
        case "application/strategic-merge-patch+json":
            apply = { StrategicMergePatch.apply(patch, to: $0) }
        default:
            throw StatusError(code: 415, reason: "UnsupportedMediaType",
                              message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json")
        }
        if path.subresource == "scale" {
            let current = try ScaleSubresource.scale(of: try handlers.get(path), type: path.type)
            return .json(try ScaleSubresource.write(try apply(current), handlers: handlers, path: path).data())
        }
        let expected = patch["metadata"]?["resourceVersion"]?.string
        let result = try handlers.replace(path, expectedVersion: expected, strict: handlers.isStrict(request), dryRun: handlers.dryRun(request)) { current in
            var patched = try apply(current)
            ObjectAdmission.foldStringData(&patched)
            return patched
        }
        return handlers.withWarnings(handlers.render(result.object, request: request, type: path.type), result.warnings)
    }
}
