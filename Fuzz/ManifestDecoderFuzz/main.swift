import KubeAPI

/// libFuzzer's entry for the manifest decoder (scripts/fuzz.sh builds and runs it). Any input
/// must come back as results, never a crash, and every refusal must be what users see: one
/// line that names the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func manifestDecoderFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    for result in ManifestDecoder().decode(fileName: "fuzz.yaml", bytes: bytes) {
        guard case .failure(let error) = result else { continue }
        let line = error.description
        if !line.hasPrefix("fuzz.yaml") || line.contains(where: \.isNewline) {
            fatalError("a refusal that is not one line naming the file: \(line.debugDescription)")
        }
    }
    return 0
}
