/// A v1 `List` of objects, as `kubectl get -o json` prints several: `kind: List`,
/// `apiVersion: v1`, `items`.
public struct KubeList<Item: Codable & Sendable>: Codable, Sendable {
    public var apiVersion: String = "v1"
    public var kind: String = "List"
    public var metadata: ListMeta = ListMeta()
    public var items: [Item]

    public init(items: [Item]) { self.items = items }
}

extension KubeList: Equatable where Item: Equatable {}
extension KubeList: Hashable where Item: Hashable {}
