import Foundation
import KubeAPI
import Images
import Runtime

/// Images for containers from the node's store, pulled from registries as the container's
/// imagePullPolicy says: `Never` uses only what is stored (`ErrImageNeverPull`),
/// `IfNotPresent` pulls when missing, `Always` pulls every time (the pull fetches only a
/// manifest when the content is stored). A failed pull is `ErrImagePull` with the
/// registry's error; until its back-off ends, the image is `ImagePullBackOff`.
public final class StoreImageProvider: ImageProvider, @unchecked Sendable {
    public let store: ImageStore
    public let puller: ImagePuller
    private let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var backOff: ImagePullBackOff

    /// `registry` defaults to the system CAs and the logins in ~/.docker/config.json.
    public init(store: ImageStore, registry: RegistryOptions? = nil, backOff: ImagePullBackOff = ImagePullBackOff(),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.puller = ImagePuller(store: store, options: registry ?? (try? RegistrySettings().load()) ?? RegistryOptions())
        self.backOff = backOff
        self.clock = clock
    }

    public func prepare(_ reference: String, policy: PullPolicy) throws -> PreparedImage {
        let normalized: ImageReference
        do {
            normalized = try ImageReference.normalize(reference)
        } catch {
            throw ImageUnavailable(reason: "InvalidImageName", message: "Failed to apply default image tag \"\(reference)\": \(error)")
        }
        let present = (try? store.contains(normalized.description)) == true
        switch policy {
        case .never:
            guard present else {
                throw ImageUnavailable(reason: "ErrImageNeverPull", message: "Container image \"\(reference)\" is not present with pull policy of Never")
            }
        case .always:
            try pull(reference, key: normalized.description)
        default:
            if !present { try pull(reference, key: normalized.description) }
        }
        do {
            let info = try store.resolve(normalized.description)
            return PreparedImage(id: info.configDigest.description, config: info.config.config, layers: info.layers.map(\.directory))
        } catch {
            throw ImageUnavailable(reason: "ErrImagePull", message: "image \(normalized): \(error)")
        }
    }

    /// Pulls unless the image is backing off; records the outcome for the back-off.
    private func pull(_ reference: String, key: String) throws {
        lock.lock()
        let blocked = backOff.blocked(key, at: clock())
        lock.unlock()
        if let blocked {
            throw ImageUnavailable(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(reference)\": \(blocked.message)")
        }
        do {
            try puller.pull(reference: reference)
            lock.lock()
            backOff.succeeded(key)
            lock.unlock()
        } catch {
            let message = "Failed to pull image \"\(reference)\": \(error)"
            lock.lock()
            backOff.failed(key, at: clock(), message: "\(error)")
            lock.unlock()
            throw ImageUnavailable(reason: "ErrImagePull", message: message)
        }
    }
}
