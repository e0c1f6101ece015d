import ArgumentParser
import Foundation
import Logging
import Images
import Runtime

/// `swiftlet images pull|import|list|rm|prune`: the node's local image store.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Manage the node's local images.",
        subcommands: [PullImage.self, ImportImage.self, ListImages.self, RemoveImage.self, PruneImages.self]
    )

    /// `--root`, where the store lives (`<root>/images`).
    struct StoreOptions: ParsableArguments {
        @Option(help: "The node's state directory (images live in <root>/images).") var root: String = "/var/lib/swiftlet"

        /// The store, logging only warnings: the command prints its own results.
        func open() throws -> ImageStore {
            var logger = Logger(label: "swiftlet.images")
            logger.logLevel = .warning
            return try ImageStore(root: root, logger: logger)
        }
    }

    /// Runs a store call, turning any error into one line on stderr and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            FileHandle.standardError.write(Data("swiftlet: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    struct PullImage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull", abstract: "Pull an image from a registry into the store, showing progress per layer.")

        @Argument(help: "The image (`127.0.0.1:5000/app:1`, `busybox`, `ghcr.io/org/app@sha256:…`).") var reference: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var registry: RegistryArguments

        func validate() throws {
            do {
                _ = try ImageReference.normalize(reference)
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            try ImagesCommand.run {
                let puller = ImagePuller(store: try store.open(), options: try registry.settings.load())
                let printer = PullProgressPrinter()
                print("Pulling \(try ImageReference.normalize(reference))")
                let image = try puller.pull(reference: reference) { printer.show($0) }
                print("Digest: \(image.target.digest)")
                print("Pulled: \(image.reference) (\(image.fetchedLayers) layers, \(ImagesCommand.humanSize(image.fetchedBytes)) fetched)")
            }
        }
    }

    /// Prints one line per layer event (`3f4e5a6b7c8d: Downloading 4.2MB/12.0MB`), as docker pull does.
    final class PullProgressPrinter: @unchecked Sendable {
        private let lock = NSLock()

        func show(_ event: PullEvent) {
            let line: String
            switch event {
            case .resolved(let manifest, let layers):
                line = "Manifest \(manifest): \(layers.count) layers"
            case .layerExists(let digest):
                line = "\(digest.hex.prefix(12)): Already exists"
            case .layerDownloading(let digest, let received, let total):
                line = "\(digest.hex.prefix(12)): Downloading \(ImagesCommand.humanSize(received))/\(ImagesCommand.humanSize(total))"
            case .layerDownloaded(let digest):
                line = "\(digest.hex.prefix(12)): Download complete (digest verified)"
            case .layerUnpacked(let digest):
                line = "\(digest.hex.prefix(12)): Pull complete"
            case .waitingForSharedPull:
                line = "Waiting for a pull of the same image in progress"
            }
            lock.lock()
            print(line)
            fflush(stdout)
            lock.unlock()
        }
    }

    struct ImportImage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import an OCI image layout (directory or tar) or a docker-archive tar.")

        @Argument(help: "The layout directory or archive.") var path: String
        @Option(help: "The name to give the image (default: the names the layout or archive carries).") var name: String?
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ImagesCommand.run {
                let imported = try store.open().importImage(from: path, name: name)
                for image in imported {
                    print("\(image.reference) \(image.manifest.digest)")
                }
            }
        }
    }

    struct ListImages: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List images.", aliases: ["ls"])

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print full digests.") var noTrunc = false

        func run() throws {
            try ImagesCommand.run {
                let images = try store.open().list()
                var rows = [["IMAGE", "DIGEST", "SIZE"]]
                for image in images {
                    rows.append([image.reference, noTrunc ? image.digest.description : String(image.digest.description.prefix(19)),
                                 ImagesCommand.humanSize(image.size)])
                }
                let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    print(row.enumerated().map { i, cell in
                        i == row.count - 1 ? cell : cell.padding(toLength: widths[i] + 3, withPad: " ", startingAt: 0)
                    }.joined())
                }
            }
        }
    }

    struct RemoveImage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove image names (content is freed by prune).", aliases: ["remove"])

        @Argument(help: "Image names.") var references: [String]
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard !references.isEmpty else { throw ValidationError("give at least one image name") }
        }

        func run() throws {
            try ImagesCommand.run {
                let images = try store.open()
                for reference in references {
                    try images.remove(reference)
                    print("Untagged: \(try ImageReference.normalize(reference))")
                }
            }
        }
    }

    struct PruneImages: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune", abstract: "Delete blobs and unpacked layers no image name uses.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            try ImagesCommand.run {
                let report = try store.open().prune()
                for blob in report.blobs { print("Deleted blob: \(blob)") }
                for layer in report.layers { print("Deleted layer: \(layer)") }
                print("Total reclaimed space: \(ImagesCommand.humanSize(report.reclaimedBytes))")
            }
        }
    }

    /// Sizes as docker prints them (decimal units).
    static func humanSize(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: value < 10 ? "%.2f%@" : "%.1f%@", value, units[unit])
    }
}
