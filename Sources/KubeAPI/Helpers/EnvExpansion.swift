/// Kubernetes `$(VAR)` expansion in env values, command and args (upstream
/// third_party/forked/golang/expansion): a defined variable is replaced, an undefined
/// reference is left as written, and `$$` escapes a `$`.
public enum EnvExpansion {
    /// Expands `input` with `lookup`; references `lookup` does not know stay `$(NAME)`.
    public static func expand(_ input: String, lookup: (String) -> String?) -> String {
        let chars = Array(input.unicodeScalars)
        var out = String.UnicodeScalarView()
        var cursor = 0
        while cursor < chars.count {
            let char = chars[cursor]
            guard char == "$", cursor + 1 < chars.count else {
                out.append(char)
                cursor += 1
                continue
            }
            let next = chars[cursor + 1]
            if next == "$" {
                out.append("$")
                cursor += 2
            } else if next == "(" {
                if let close = chars[(cursor + 2)...].firstIndex(of: ")") {
                    let name = String(String.UnicodeScalarView(chars[(cursor + 2)..<close]))
                    if let value = lookup(name) {
                        out.append(contentsOf: value.unicodeScalars)
                    } else {
                        out.append(contentsOf: "$(\(name))".unicodeScalars)
                    }
                    cursor = close + 1
                } else {
                    out.append(contentsOf: "$(".unicodeScalars)
                    cursor += 2
                }
            } else {
                out.append("$")
                out.append(next)
                cursor += 2
            }
        }
        return String(out)
    }

    /// Expands `input` against a dictionary of variables.
    public static func expand(_ input: String, variables: [String: String]) -> String {
        expand(input) { variables[$0] }
    }

    /// Resolves a container's literal `env` list in order, as the kubelet does: each value
    /// may refer to variables defined before it and to `base` (envFrom, service variables).
    /// `valueFrom` entries take their value from `resolved(name)` when given.
    public static func resolve(
        _ env: [EnvVar], base: [String: String] = [:], resolved: (EnvVar) -> String? = { _ in nil }
    ) -> [(name: String, value: String)] {
        var variables = base
        var result: [(name: String, value: String)] = base.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for variable in env {
            let value: String
            if variable.valueFrom != nil {
                guard let fromSource = resolved(variable) else { continue }
                value = fromSource
            } else {
                value = expand(variable.value ?? "", variables: variables)
            }
            variables[variable.name] = value
            if let index = result.firstIndex(where: { $0.name == variable.name }) {
                result[index].value = value
            } else {
                result.append((variable.name, value))
            }
        }
        return result
    }
}
