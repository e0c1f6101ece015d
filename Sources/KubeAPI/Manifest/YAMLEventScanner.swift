// CYaml is Yams' libyaml module, not Yams' API: the scan must run on the raw event stream,
// before Yams' composer (see Package.swift).
import CYaml

/// A pass over the YAML event stream (libyaml's own parser, which keeps its state on the heap)
/// that refuses what would make the (recursive) composer or its duplicate-key check blow up,
/// before either sees the text:
/// - nesting deeper than the limit (the composer recurses once per level);
/// - a mapping key that is an alias or a collection: comparing keys walks them whole, and an
///   alias to an alias bomb as a key takes exponential time. Kubernetes keys are strings.
/// Other syntax errors end the scan quietly: the composer, reading the same events, stops at
/// them too and reports them with their position.
enum YAMLEventScanner {
    struct Refusal: Error, Equatable {
        enum Reason: Equatable {
            case tooDeep
            /// A non-scalar key, at this 1-based line.
            case complexKey(line: Int)
        }

        /// The 1-based document it is in; those before it are fine.
        var document: Int
        var reason: Reason
    }

    static func check(_ bytes: [UInt8], depthLimit: Int) -> Refusal? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer -> Refusal? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            // Per open collection: whether it is a mapping, and how many nodes it holds so far
            // (in a mapping, an even count means the next node is a key).
            var open: [(isMapping: Bool, nodes: Int)] = []
            var document = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let type = event.type
                if type == YAML_STREAM_END_EVENT { return nil }
                if type == YAML_DOCUMENT_START_EVENT { document += 1 }
                if type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT {
                    open.removeLast()
                    continue
                }
                let isNode = type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT
                    || type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT
                guard isNode else { continue }
                if let parent = open.last {
                    if parent.isMapping && parent.nodes % 2 == 0 && type != YAML_SCALAR_EVENT {
                        return Refusal(document: document, reason: .complexKey(line: Int(event.start_mark.line) + 1))
                    }
                    open[open.count - 1].nodes += 1
                }
                if type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT {
                    open.append((type == YAML_MAPPING_START_EVENT, 0))
                    if open.count > depthLimit { return Refusal(document: document, reason: .tooDeep) }
                }
            }
            // libyaml's own nesting limit, met while its scanner reads ahead in a flow collection.
            if let problem = parser.problem, String(cString: problem).hasPrefix("Maximum nesting level") {
                return Refusal(document: max(document, 1), reason: .tooDeep)
            }
            return nil
        }
    }
}
