import Foundation

/// The real clients against an agent's Kubernetes API, from inside its node network
/// namespace: `/usr/bin/kubectl` with the agent's admin kubeconfig, the Python client, curl.
extension AgentHarness {
    var kubeconfig: String { root + "/admin.kubeconfig" }

    static let kubectlPath = "/usr/bin/kubectl"
    static var hasKubectl: Bool { FileManager.default.isExecutableFile(atPath: kubectlPath) }

    /// `kubectl ARGS` (stdout and stderr together), with `input` on stdin.
    func kubectl(_ arguments: [String], input: String? = nil, timeout: TimeInterval = 90) -> (status: Int32, output: String) {
        runInNode(["/usr/bin/env", "KUBECONFIG=" + kubeconfig, Self.kubectlPath] + arguments, input: input, timeout: timeout)
    }

    func kubectl(_ line: String) -> (status: Int32, output: String) {
        kubectl(line.split(separator: " ").map(String.init))
    }

    /// Runs a command in the node's network namespace, stdout and stderr together, killed
    /// after `timeout`.
    func runInNode(_ command: [String], input: String? = nil, timeout: TimeInterval = 90) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=" + netns] + command
        let output = base + "/cmd-\(UUID().uuidString.prefix(8)).out"
        FileManager.default.createFile(atPath: output, contents: nil)
        defer { unlink(output) }
        let handle = FileHandle(forWritingAtPath: output)!
        process.standardOutput = handle
        process.standardError = handle
        let inputPath = output + ".in"
        defer { unlink(inputPath) }
        FileManager.default.createFile(atPath: inputPath, contents: Data((input ?? "").utf8))
        process.standardInput = FileHandle(forReadingAtPath: inputPath)
        do { try process.run() } catch { return (-1, "\(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// Starts `kubectl ARGS` in the background (a watch, a port-forward); its output file.
    func kubectlInBackground(_ arguments: [String]) throws -> (process: Process, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=" + netns, "/usr/bin/env", "KUBECONFIG=" + kubeconfig, Self.kubectlPath] + arguments
        let output = base + "/bg-\(UUID().uuidString.prefix(8)).out"
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = FileHandle(forWritingAtPath: output)!
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, output)
    }

    /// The admin's bearer token, for raw requests.
    var adminToken: String {
        ((try? String(contentsOfFile: root + "/pki/admin.token", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A raw HTTPS request with curl (CA-verified): (HTTP status, body).
    func apiRequest(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
                    token: String? = nil, bodyFile: String? = nil) -> (code: Int, body: String) {
        var arguments = ["/usr/bin/curl", "-s", "-m", "10", "--cacert", root + "/pki/ca.crt", "-X", method,
                         "-H", "Content-Type: " + contentType, "-w", "\n%{http_code}"]
        if let token = token ?? Optional(adminToken), !token.isEmpty { arguments += ["-H", "Authorization: Bearer " + token] }
        if let body { arguments += ["--data-binary", body] }
        if let bodyFile { arguments += ["--data-binary", "@" + bodyFile] }
        arguments.append("https://127.0.0.1:6443" + path)
        let result = runInNode(arguments)
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.popLast() ?? "") ?? 0
        return (code, lines.joined(separator: "\n"))
    }

    /// Imports the test image under more names (tags other than `latest` pull IfNotPresent,
    /// as upstream defaults them).
    func importImage(as names: String...) throws {
        for name in names {
            var output = Data()
            let status = ImageFixtures.run(builtBinary("swiftlet"), ["images", "import", ImageFixtures.testLayout, "--name", name, "--root", root], output: &output)
            guard status == 0 else { throw KubeletErrorForTests("images import \(name) failed: \(String(decoding: output, as: UTF8.self))") }
        }
    }

    /// Polls kubectl until `check` holds for its output; the last output.
    @discardableResult
    func waitForKubectl(_ arguments: [String], timeout: TimeInterval = 60, _ check: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = kubectl(arguments).output
            if check(last) { return last }
            Thread.sleep(forTimeInterval: 0.3)
        }
        return last
    }
}

struct KubeletErrorForTests: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
