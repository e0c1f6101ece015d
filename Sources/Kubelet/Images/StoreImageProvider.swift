import Foundation
import KubeAPI
import Images
import Runtime

/// Images for containers from the node's local store (`swiftlet images import`). Until
/// registry pulls exist, an image missing from the store is `ErrImageNeverPull` under
/// pullPolicy Never and `ErrImagePull` otherwise; a present image is used under every policy.
public struct StoreImageProvider: ImageProvider {
    public let store: ImageStore

    public init(store: ImageStore) {
        self.store = store
    }

    public func prepare(_ reference: String, policy: PullPolicy) throws -> PreparedImage {
        let normalized: ImageReference
        do {
            normalized = try ImageReference.normalize(reference)
        } catch {
            throw ImageUnavailable(reason: "InvalidImageName", message: "Failed to apply default image tag \"\(reference)\": \(error)")
        }
        guard (try? store.contains(normalized.description)) == true else {
            if policy == .never {
                throw ImageUnavailable(reason: "ErrImageNeverPull", message: "Container image \"\(reference)\" is not present with pull policy of Never")
            }
            throw ImageUnavailable(reason: "ErrImagePull", message: "failed to pull image \"\(reference)\": \(normalized) is not in the local image store (import it with `swiftlet images import`)")
        }
        do {
            let info = try store.resolve(normalized.description)
            return PreparedImage(id: info.configDigest.description, config: info.config.config, layers: info.layers.map(\.directory))
        } catch {
            throw ImageUnavailable(reason: "ErrImagePull", message: "image \(normalized): \(error)")
        }
    }
}
