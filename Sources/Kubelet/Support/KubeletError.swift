/// A failure the kubelet reports as one line.
public struct KubeletError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
