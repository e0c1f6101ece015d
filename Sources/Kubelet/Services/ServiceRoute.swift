import ClusterDNS
import Foundation

/// A route for the service CIDR through the pod bridge, so connections the node itself
/// opens to a ClusterIP get an address to leave from and reach the proxy's DNAT (on a usual
/// node the default route plays this part; the node namespaces Swiftlet runs in may have none).
enum ServiceRoute {
    /// Adds `serviceCIDR dev <the device holding nodeIP> src nodeIP` once that device exists;
    /// returns whether the route is in place.
    static func ensure(serviceCIDR: String, nodeIP: String) -> Bool {
        guard let device = device(holding: nodeIP) else { return false }
        do {
            try ClusterDNSAddress.run(["ip", "route", "replace", serviceCIDR, "dev", device, "src", nodeIP])
            return true
        } catch {
            return false
        }
    }

    static func device(holding ip: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "-o", "-4", "addr", "show"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "4: swiftlet0    inet 10.244.0.1/24 brd … scope global swiftlet0"
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, let inet = fields.firstIndex(of: "inet"), inet + 1 < fields.count else { continue }
            if fields[inet + 1].split(separator: "/").first.map(String.init) == ip {
                return String(fields[1]).trimmingCharacters(in: CharacterSet(charactersIn: ":"))
            }
        }
        return nil
    }
}
