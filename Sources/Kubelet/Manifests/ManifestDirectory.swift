import Foundation

/// One file of the watched manifest directory, read whole.
public struct ManifestFile: Sendable, Equatable {
    public let name: String
    public let path: String
    public let contents: Data
    /// The file's mtime, seconds since 1970: which of two files declaring one name came first.
    public var modified: Double = 0
}

/// A file of the manifest directory that could not be read, with the reason.
public struct ManifestFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let message: String
    public var modified: Double = 0

    public var description: String { "\(name): \(message)" }
}

/// The watched manifest directory: every regular file but dotfiles, each at most
/// `maxFileSize` bytes, read in name order.
public struct ManifestDirectory: Sendable {
    public static let maxFileSize = 10 * 1024 * 1024
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Reads every manifest file; a file that cannot be read is reported and skipped.
    public func read() throws -> [Result<ManifestFile, ManifestFileError>] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { !$0.hasPrefix(".") }
            .sorted()
        return names.compactMap { name in
            let file = path + "/" + name
            var st = stat()
            guard lstat(file, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
            let modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            if Int(st.st_size) > Self.maxFileSize {
                return .failure(ManifestFileError(
                    name: name, message: "file is \(st.st_size) bytes, over the \(Self.maxFileSize)-byte limit", modified: modified))
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                return .failure(ManifestFileError(name: name, message: "cannot read file", modified: modified))
            }
            if data.count > Self.maxFileSize {
                return .failure(ManifestFileError(
                    name: name, message: "file is \(data.count) bytes, over the \(Self.maxFileSize)-byte limit", modified: modified))
            }
            return .success(ManifestFile(name: name, path: file, contents: data, modified: modified))
        }
    }
}
