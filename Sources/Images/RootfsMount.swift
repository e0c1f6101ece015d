import CArchive
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A container's root filesystem: an overlay of the image's unpacked layers (read-only
/// lower dirs) with the container's own `upper` and `work` dirs, mounted at `target`.
/// Writes land in `upper`; the layers are never modified and stay shared.
public struct RootfsMount: Sendable, Hashable {
    /// Layer directories, base layer first (as `ImageInfo.layerDirectories`).
    public var layers: [String]
    /// The container's dir: `upper/` and `work/` are created in it.
    public var containerDirectory: String
    /// Where the rootfs is mounted.
    public var target: String
    /// Mount read-only (readOnlyRootFilesystem): writes fail with EROFS.
    public var readOnly: Bool

    public init(layers: [String], containerDirectory: String, target: String, readOnly: Bool = false) {
        self.layers = layers
        self.containerDirectory = containerDirectory
        self.target = target
        self.readOnly = readOnly
    }

    public var upperDirectory: String { containerDirectory + "/upper" }
    public var workDirectory: String { containerDirectory + "/work" }

    /// The overlay mount data: lowerdir lists the top layer first, as overlayfs wants.
    /// `index=off` lets the same layers serve many overlays at once.
    public var options: String {
        let lower = layers.reversed().map(RootfsMount.escape).joined(separator: ":")
        return "lowerdir=\(lower),upperdir=\(RootfsMount.escape(upperDirectory)),workdir=\(RootfsMount.escape(workDirectory)),index=off"
    }

    /// overlayfs splits options on ',' and lowerdir on ':'; both are escaped with '\'.
    static func escape(_ path: String) -> String {
        var out = ""
        for c in path {
            if c == "," || c == ":" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Creates the container dir, `upper`, `work` and `target` (with parents) if needed and mounts the overlay.
    public func mount(logger: Logger = Logger(label: "swiftlet.images")) throws {
        guard !layers.isEmpty else {
            throw ImageError.invalidContent(file: target, reason: "an overlay rootfs needs at least one layer")
        }
        for dir in [containerDirectory, upperDirectory, workDirectory, target] {
            try ImageStore.makeDirectories(dir)
        }
        let data = options
        // mount(2) takes at most one page of options; longer layer lists (dozens of layers)
        // go through the new mount API, which adds lower dirs one by one.
        if data.utf8.count < Int(sysconf(Int32(_SC_PAGESIZE))) {
            let flags: UInt = readOnly ? UInt(MS_RDONLY) : 0
            try ImageError.check("mount overlay", target) { Glibc.mount("overlay", target, "overlay", flags, data) }
        } else {
            try mountLayerByLayer()
        }
        logger.debug("rootfs mounted", metadata: ["target": "\(target)", "layers": "\(layers.count)", "readOnly": "\(readOnly)"])
    }

    private func mountLayerByLayer() throws {
        let lowers = layers.reversed().map { strdup($0) }
        defer { lowers.forEach { free($0) } }
        var pointers = lowers.map { UnsafePointer<CChar>($0) }
        try ImageError.check("mount overlay (\(layers.count) layers)", target) {
            car_mount_overlay(target, &pointers, Int32(pointers.count), upperDirectory, workDirectory, readOnly ? 1 : 0)
        }
    }

    /// Unmounts the rootfs (lazily if busy) and, with `removeUpper`, deletes the
    /// container's `upper` and `work` dirs. Not mounted is not an error.
    public func unmount(removeUpper: Bool = true) throws {
        if umount2(target, 0) != 0 {
            switch errno {
            case EINVAL, ENOENT: break  // not a mount point (any more)
            case EBUSY: try ImageError.check("umount", target) { umount2(target, Int32(MNT_DETACH)) }
            default: throw ImageError.system(operation: "umount", path: target, errno: errno)
            }
        }
        guard removeUpper else { return }
        let parent = try ImageError.check("open", containerDirectory) {
            open(containerDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { close(parent) }
        for name in ["upper", "work"] {
            try LayerWriter.removeTree(parent, name, shown: containerDirectory + "/" + name)
        }
    }
}
