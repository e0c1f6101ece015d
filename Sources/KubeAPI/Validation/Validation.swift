/// Upstream's validation (k8s.io/kubernetes/pkg/apis/*/validation) for the fields Swiftlet
/// uses, with upstream's wording.
extension KubeObject {
    /// Every problem found, empty when the object is valid.
    public func validate() -> [FieldError] {
        var v = FieldValidator()
        switch self {
        case .pod(let o): v.validate(o)
        case .service(let o): v.validate(o)
        case .endpoints(let o): v.validate(o)
        case .endpointSlice(let o): v.validate(o)
        case .deployment(let o): v.validate(o)
        case .replicaSet(let o): v.validate(o)
        case .daemonSet(let o): v.validate(o)
        case .job(let o): v.validate(o)
        case .cronJob(let o): v.validate(o)
        case .configMap(let o): v.validate(o)
        case .secret(let o): v.validate(o)
        case .namespace(let o): v.validate(o)
        }
        return v.errors
    }
}

/// Accumulates field errors while walking an object.
struct FieldValidator {
    var errors: [FieldError] = []

    mutating func add(_ error: FieldError) { errors.append(error) }
}
