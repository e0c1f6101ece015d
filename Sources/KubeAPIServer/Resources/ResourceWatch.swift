import APIStore
import Foundation

/// A watch (`?watch=true`): one JSON line per change (`{"type":"MODIFIED","object":…}`),
/// chunked, from the requested resourceVersion (410 Gone as an ERROR event when the history
/// no longer reaches it), filtered by label and field selectors, as Tables when asked, until
/// `timeoutSeconds` or the client leaves.
struct ResourceWatch {
    let store: ResourceStore

    func start(_ request: APIRequest, path: ResourcePath, sink: ResponseSink) throws {
        let labels = try SelectorQuery.parse(request.query["labelSelector"])
        let fields = try SelectorQuery.parse(request.query["fieldSelector"])
        let version = request.query["resourceVersion"] ?? ""
        let from: UInt64? = version.isEmpty || version == "0" ? nil : UInt64(version)
        if !version.isEmpty, version != "0", from == nil {
            throw StatusError.badRequest("resourceVersion: Invalid value: \"\(version)\": must be an integer")
        }
        let table = request.wantsTable
        let includeObject = request.query["includeObject"]
        let type = path.type
        let deliver: @Sendable (WatchEvent) -> Void = { event in
            guard labels.matchesLabels(of: event.object), fields.matchesFields(of: event.object) else { return }
            let object = table
                ? TableConverter.table([event.object], type: type, revision: event.resourceVersion, includeObject: includeObject)
                : event.object
            var line = JSONValue.object(["type": .string(event.kind.rawValue), "object": object]).data()
            line.append(0x0A)
            sink.write(line)
        }
        sink.startStream(contentType: "application/json")
        let token: WatchToken
        do {
            token = try store.watch(resource: type.qualifiedName, namespace: type.namespaced ? path.namespace : nil, from: from, deliver: deliver)
        } catch StoreError.gone(let requested, let oldest) {
            let status = StatusError.gone("too old resource version: \(requested) (\(oldest))").object
            var line = JSONValue.object(["type": "ERROR", "object": status]).data()
            line.append(0x0A)
            sink.write(line)
            sink.finish()
            return
        }
        let store = self.store
        sink.onClose { store.stopWatch(token) }
        let timeout = request.query["timeoutSeconds"].flatMap(Double.init) ?? 1800
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            store.stopWatch(token)
            sink.finish()
        }
    }
}
