/// A quick pass over YAML/JSON text that estimates how deeply it nests, so the decoder can
/// refuse a pathological file before the (recursive) YAML composer sees it.
///
/// It tracks block indentation levels (including compact `- - -` sequences) and flow
/// brackets outside quoted scalars, skips comments and block scalars, and stops as soon as
/// the estimate passes the limit.
enum NestingScanner {
    static func exceeds(_ bytes: [UInt8], limit: Int) -> Bool {
        let space = UInt8(ascii: " "), dash = UInt8(ascii: "-"), question = UInt8(ascii: "?")
        let newline = UInt8(ascii: "\n"), hash = UInt8(ascii: "#")
        var blockColumns: [Int] = []
        var flowDepth = 0
        var quote: UInt8? = nil
        var blockScalarParent: Int? = nil
        var index = 0
        let count = bytes.count

        while index < count {
            // Start of a line.
            var lineEnd = index
            while lineEnd < count, bytes[lineEnd] != newline { lineEnd += 1 }
            var column = 0
            while index + column < lineEnd, bytes[index + column] == space { column += 1 }
            let blank = index + column >= lineEnd || bytes[index + column] == hash
                || bytes[index + column] == UInt8(ascii: "\r")

            if let parent = blockScalarParent {
                if blank || column > parent {
                    index = lineEnd + 1
                    continue
                }
                blockScalarParent = nil
            }
            if blank && quote == nil {
                index = lineEnd + 1
                continue
            }

            var position = index + column
            if quote == nil && flowDepth == 0 {
                while let last = blockColumns.last, last >= column { blockColumns.removeLast() }
                blockColumns.append(column)
                // Compact nested sequences and complex keys open a level each on one line.
                while position + 1 < lineEnd, bytes[position] == dash || bytes[position] == question,
                    bytes[position + 1] == space
                {
                    position += 2
                    while position < lineEnd, bytes[position] == space { position += 1 }
                    blockColumns.append(position - index)
                }
                if blockColumns.count > limit { return true }
            }

            var previous: UInt8 = space
            // The last non-blank character outside quotes; 0 at the start of the line's content.
            var lastSignificant: UInt8 = 0
            while position < lineEnd {
                let byte = bytes[position]
                if let open = quote {
                    if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") {
                        position += 2
                        continue
                    }
                    if byte == open {
                        quote = nil
                        lastSignificant = byte
                    }
                } else {
                    let afterBlank = previous == space || previous == UInt8(ascii: "\t")
                    // Where a new node may start: in flow context after `[ { , :`, in block
                    // context only at the start of the content or after `key:`, `-` or `?`.
                    let nodeStart: Bool
                    if flowDepth > 0 {
                        nodeStart = lastSignificant == 0 || "[{,:".utf8.contains(lastSignificant)
                    } else {
                        nodeStart = lastSignificant == 0 || (afterBlank && ":-?".utf8.contains(lastSignificant))
                    }
                    switch byte {
                    case hash where afterBlank:
                        position = lineEnd
                        continue
                    case UInt8(ascii: "\""), UInt8(ascii: "'"):
                        if nodeStart { quote = byte }
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        if nodeStart {
                            flowDepth += 1
                            if flowDepth + blockColumns.count > limit { return true }
                        }
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        if flowDepth > 0 { flowDepth -= 1 }
                    default:
                        break
                    }
                    if byte != space && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") { lastSignificant = byte }
                }
                previous = byte
                position += 1
            }
            if quote == nil, flowDepth == 0, isBlockScalarIndicator(bytes, from: index + column, to: lineEnd) {
                blockScalarParent = column
            }
            index = lineEnd + 1
        }
        return false
    }

    /// Whether a line ends with `|` or `>` (plus optional chomping/indent indicators) after
    /// a key or a sequence dash, which starts a block scalar.
    private static func isBlockScalarIndicator(_ bytes: [UInt8], from start: Int, to end: Int) -> Bool {
        var last = end
        while last > start, bytes[last - 1] == UInt8(ascii: " ") || bytes[last - 1] == UInt8(ascii: "\r") {
            last -= 1
        }
        // Strip a trailing comment (" #...") crudely: block indicators rarely carry one.
        var cursor = last
        while cursor > start, "+-0123456789".utf8.contains(bytes[cursor - 1]) { cursor -= 1 }
        guard cursor > start, bytes[cursor - 1] == UInt8(ascii: "|") || bytes[cursor - 1] == UInt8(ascii: ">")
        else { return false }
        let before = cursor - 2
        return before < start || bytes[before] == UInt8(ascii: " ")
    }
}
