import Foundation
import KubeAPI

/// `-o json` and `-o yaml`: a v1 `List` of the objects, as the API server returns them.
public enum ObjectOutput {
    public static func json<T: Codable & Sendable>(_ items: [T]) throws -> String {
        try KubeEncoder.prettyJSON(KubeList(items: items))
    }

    public static func yaml<T: Codable & Sendable>(_ items: [T]) throws -> String {
        try KubeEncoder.yaml(KubeList(items: items))
    }
}
