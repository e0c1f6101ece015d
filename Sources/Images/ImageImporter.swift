import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One image an import stored.
public struct ImportedImage: Sendable, Hashable {
    public var reference: ImageReference
    public var manifest: ContentDescriptor
}

/// `docker save`'s manifest.json: one entry per image.
struct DockerArchiveEntry: Codable {
    var config: String
    var repoTags: [String]?
    var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config", repoTags = "RepoTags", layers = "Layers"
    }
}

extension ImageStore {
    /// Imports images from an OCI image layout directory, a tar of one, or a docker-archive
    /// tar (`docker save`), copying and verifying every blob and unpacking every layer.
    ///
    /// With `name`, one image is imported under that name: the layout entry tagged with its
    /// tag (`org.opencontainers.image.ref.name`) or full name, else the only entry. Without
    /// it, every entry that carries a full name (containerd's `io.containerd.image.name`,
    /// docker-archive RepoTags) is imported under it.
    @discardableResult
    public func importImage(from path: String, name: String? = nil) throws -> [ImportedImage] {
        let reference = try name.map { try ImageReference.normalize($0) }
        var st = stat()
        guard stat(path, &st) == 0 else { throw ImageError.system(operation: "stat", path: path, errno: errno) }
        return try FileLock.with(directory + "/gc.lock", .shared) {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                return try importDirectory(path, shown: path, reference: reference)
            }
            var template = Array("\(temporaryDirectory)/import-XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else {
                throw ImageError.system(operation: "mkdtemp", path: temporaryDirectory, errno: errno)
            }
            let staging = String(cString: template)
            defer { try? removeTree(staging) }
            do {
                try LayerUnpacker(logger: logger).extractFiles(archive: path, into: staging)
            } catch ImageError.invalidContent(_, let reason) {
                throw ImageError.invalidContent(file: path, reason: "not a directory or a tar archive: \(reason)")
            }
            return try importDirectory(staging, shown: path, reference: reference)
        }
    }

    private func importDirectory(_ path: String, shown: String, reference: ImageReference?) throws -> [ImportedImage] {
        let layout = try BeneathDirectory(path: path)
        func exists(_ name: String) -> Bool {
            let fd = layout.openRaw(name, flags: O_RDONLY)
            if fd >= 0 { close(fd) }
            return fd >= 0
        }
        if exists("index.json") {
            return try importLayout(layout, shown: shown, reference: reference)
        }
        if exists("manifest.json") {
            return try importDockerArchive(layout, shown: shown, reference: reference)
        }
        throw ImageError.invalidContent(
            file: shown, reason: "neither an OCI image layout (no index.json) nor a docker-archive (no manifest.json)")
    }

    // MARK: OCI image layout

    private func importLayout(_ layout: BeneathDirectory, shown: String, reference: ImageReference?) throws -> [ImportedImage] {
        if let marker = try? layout.readFile("oci-layout"),
           let object = try? JSONSerialization.jsonObject(with: Data(marker)) as? [String: Any],
           let version = object["imageLayoutVersion"] as? String, !version.hasPrefix("1.") {
            throw ImageError.invalidContent(file: "\(shown)/oci-layout", reason: "imageLayoutVersion \(version) is not 1.x")
        }
        let index = try OCIIndex.decode(Data(try layout.readFile("index.json")), file: "\(shown)/index.json")
        guard !index.manifests.isEmpty else {
            throw ImageError.invalidContent(file: "\(shown)/index.json", reason: "manifests is empty")
        }
        var chosen: [(ImageReference, ContentDescriptor)] = []
        if let reference {
            let matching = index.manifests.filter { descriptor in
                let annotations = descriptor.annotations ?? [:]
                if let full = annotations[ContentDescriptor.imageNameAnnotation],
                   (try? ImageReference.normalize(full)) == reference { return true }
                if let refName = annotations[ContentDescriptor.refNameAnnotation] {
                    if refName == reference.tag { return true }
                    if (try? ImageReference.normalize(refName)) == reference { return true }
                }
                return false
            }
            if let first = matching.first(where: { $0.platform?.runs(on: platform) ?? true }) ?? matching.first {
                chosen = [(reference, first)]
            } else if index.manifests.count == 1 {
                chosen = [(reference, index.manifests[0])]
            } else {
                let tags = index.manifests.compactMap { $0.annotations?[ContentDescriptor.refNameAnnotation] }
                throw ImageError.invalidContent(
                    file: "\(shown)/index.json",
                    reason: "\(index.manifests.count) images and none tagged \(reference.tag ?? reference.description)"
                        + (tags.isEmpty ? "" : " (tags: \(tags.joined(separator: ", ")))"))
            }
        } else {
            for descriptor in index.manifests {
                let annotations = descriptor.annotations ?? [:]
                let full = annotations[ContentDescriptor.imageNameAnnotation]
                    ?? annotations[ContentDescriptor.refNameAnnotation].flatMap { $0.contains("/") || $0.contains(":") ? $0 : nil }
                if let full, let parsed = try? ImageReference.normalize(full) {
                    if descriptor.platform.map({ $0.runs(on: platform) }) == false { continue }
                    chosen.append((parsed, descriptor))
                }
            }
            guard !chosen.isEmpty else {
                throw ImageError.invalidContent(file: "\(shown)/index.json", reason: "names no image; give one with --name")
            }
        }
        var imported: [ImportedImage] = []
        for (reference, descriptor) in chosen {
            let target = try copyImage(descriptor, from: layout, shown: shown)
            _ = try resolve(reference, target: target)
            try tag(reference, target: target)
            imported.append(ImportedImage(reference: reference, manifest: target))
        }
        return imported
    }

    /// Copies a manifest (from an index for this platform if need be), its config and its
    /// layers from a layout's blobs; returns the manifest descriptor to name.
    private func copyImage(_ descriptor: ContentDescriptor, from layout: BeneathDirectory, shown: String) throws -> ContentDescriptor {
        var current = descriptor
        for _ in 0..<4 {
            try copyBlob(current, from: layout, shown: shown)
            guard MediaType.isIndex(current.mediaType) else { break }
            let index = try OCIIndex.decode(try readBlob(current.digest), file: "\(shown)/blobs/sha256/\(current.digest.hex)")
            guard let next = index.manifest(for: platform) else {
                throw ImageError.invalidContent(file: "\(shown)/blobs/sha256/\(current.digest.hex)",
                                                reason: "no manifest for platform \(platform.os)/\(platform.architecture)")
            }
            current = next
        }
        let manifest = try OCIManifest.decode(try readBlob(current.digest), file: "\(shown)/blobs/sha256/\(current.digest.hex)")
        try copyBlob(manifest.config, from: layout, shown: shown)
        for layer in manifest.layers {
            try copyBlob(layer, from: layout, shown: shown)
        }
        var target = current
        target.annotations = nil
        target.platform = nil
        if target.mediaType.isEmpty { target.mediaType = manifest.mediaType ?? MediaType.ociManifest }
        return target
    }

    private func copyBlob(_ descriptor: ContentDescriptor, from layout: BeneathDirectory, shown: String) throws {
        let relative = "blobs/\(descriptor.digest.algorithm)/\(descriptor.digest.hex)"
        if hasBlob(descriptor.digest) { return }
        let fd = layout.openRaw(relative, flags: O_RDONLY | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { throw ImageError.missingBlob("\(descriptor.digest) (\(shown)/\(relative))") }
            throw ImageError.system(operation: "open", path: "\(shown)/\(relative)", errno: errno)
        }
        defer { close(fd) }
        try ingest(fd: fd, shown: "\(shown)/\(relative)", expected: descriptor.digest, size: descriptor.size)
    }

    // MARK: docker-archive

    private func importDockerArchive(_ archive: BeneathDirectory, shown: String, reference: ImageReference?) throws -> [ImportedImage] {
        let file = "\(shown)/manifest.json"
        let entries: [DockerArchiveEntry]
        do {
            entries = try JSONDecoder().decode([DockerArchiveEntry].self, from: Data(try archive.readFile("manifest.json")))
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError.invalidContent(file: file, reason: "not a docker-archive manifest: \(JSONErrorText.describe(error))")
        }
        guard !entries.isEmpty else { throw ImageError.invalidContent(file: file, reason: "holds no image") }
        var work: [(DockerArchiveEntry, [ImageReference])] = []
        if let reference {
            let tagged = entries.filter { entry in
                (entry.repoTags ?? []).contains { (try? ImageReference.normalize($0)) == reference }
            }
            if let entry = tagged.first ?? (entries.count == 1 ? entries[0] : nil) {
                work = [(entry, [reference])]
            } else {
                throw ImageError.invalidContent(file: file, reason: "\(entries.count) images and none tagged \(reference)")
            }
        } else {
            for (i, entry) in entries.enumerated() {
                var names: [ImageReference] = []
                for repoTag in entry.repoTags ?? [] {
                    do {
                        names.append(try ImageReference.normalize(repoTag))
                    } catch let ImageError.invalidReference(_, reason) {
                        throw ImageError.invalidContent(file: file, reason: "[\(i)].RepoTags \"\(repoTag)\": \(reason)")
                    }
                }
                if !names.isEmpty { work.append((entry, names)) }
            }
            guard !work.isEmpty else {
                throw ImageError.invalidContent(file: file, reason: "no image has RepoTags; give a name with --name")
            }
        }
        var imported: [ImportedImage] = []
        for (entry, names) in work {
            let configDescriptor = try ingestArchiveFile(entry.config, from: archive, shown: shown, mediaType: MediaType.ociConfig)
            var layers: [ContentDescriptor] = []
            for layer in entry.layers {
                var descriptor = try ingestArchiveFile(layer, from: archive, shown: shown, mediaType: MediaType.ociLayer)
                descriptor.mediaType = try layerMediaType(descriptor.digest)
                layers.append(descriptor)
            }
            let manifest = OCIManifest(config: configDescriptor, layers: layers)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let target = try writeBlob(try encoder.encode(manifest), mediaType: MediaType.ociManifest)
            for name in names {
                _ = try resolve(name, target: target)
                try tag(name, target: target)
                imported.append(ImportedImage(reference: name, manifest: target))
            }
        }
        return imported
    }

    private func ingestArchiveFile(_ relative: String, from archive: BeneathDirectory, shown: String, mediaType: String) throws -> ContentDescriptor {
        guard let path = LayerPath(cleaning: relative), !path.isRoot else {
            throw ImageError.invalidContent(file: "\(shown)/manifest.json", reason: "path \"\(relative)\" escapes the archive")
        }
        let fd = archive.openRaw(path.relative, flags: O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { throw ImageError.invalidContent(file: "\(shown)/manifest.json", reason: "\(relative) is not in the archive") }
            throw ImageError.system(operation: "open", path: "\(shown)/\(relative)", errno: errno)
        }
        defer { close(fd) }
        let (digest, size) = try ingest(fd: fd, shown: "\(shown)/\(relative)", expected: nil, size: nil)
        return ContentDescriptor(mediaType: mediaType, digest: digest, size: size)
    }

    /// The OCI layer type for a blob, from its first bytes (docker-archive layers are
    /// usually plain tars, but `docker save` of some images keeps them compressed).
    private func layerMediaType(_ digest: Digest) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: blobPath(digest)) else { throw ImageError.missingBlob(digest.description) }
        defer { try? handle.close() }
        let magic = [UInt8](try handle.read(upToCount: 4) ?? Data())
        if magic.starts(with: [0x1f, 0x8b]) { return MediaType.ociLayerGzip }
        if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return MediaType.ociLayerZstd }
        return MediaType.ociLayer
    }
}
