import APIStore
import CRuntimeShim
import Foundation
import KubeAPI
import KubeAPIServer
import Runtime

/// `pods/log` and `pods/exec` for the API server, over the same log files and runtime the
/// CLI's `swiftlet logs` and `swiftlet exec` use.
struct APIPodStreams: NodeStreams {
    let layout: NodeLayout

    private func workerPod(_ pod: JSONValue) throws -> Pod {
        let uid = pod[path: ["metadata", "uid"]]?.string ?? ""
        guard let found = JSONFile.read(Pod.self, from: layout.podFile(uid: uid)) else {
            throw StatusError.badRequest("pod \(pod[path: ["metadata", "name"]]?.string ?? "") has not started on the node yet")
        }
        return found
    }

    func logs(pod: JSONValue, container: String, options: LogOptions, write: @escaping @Sendable (Data) -> Void,
              isOpen: @escaping @Sendable () -> Bool) throws {
        let found = try workerPod(pod)
        let store = PodStore(root: layout.root)
        let path: String
        do {
            path = try store.logPath(container, in: found, previous: options.previous)
        } catch {
            throw StatusError.badRequest("\(error)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw StatusError.badRequest("container \"\(container)\" in pod \"\(found.metadata.name ?? "")\" is waiting to start: ContainerCreating")
        }
        write(Data(try LogReader.read(path: path, tail: options.tailLines).utf8))
        guard options.follow, !options.previous else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let uid = found.metadata.uid ?? ""
        let podFile = layout.podFile(uid: uid)
        LogReader.follow(path: path, from: size, output: { write(Data($0.utf8)) }) {
            guard isOpen(), let now = JSONFile.read(Pod.self, from: podFile) else { return false }
            return store.status(of: container, in: now)?.state?.running != nil
        }
    }

    func exec(pod: JSONValue, container: String, command: [String], tty: Bool, stdin: Bool) throws -> ExecProcess {
        let found = try workerPod(pod)
        let store = PodStore(root: layout.root)
        let id: String
        do {
            id = try store.runningContainerID(container, in: found)
        } catch {
            throw StatusError.badRequest("\(error)")
        }
        let files = layout.container(id: id)
        guard var process = try SpecDecoder.load(Spec.self, path: files.configPath).process else {
            throw StatusError.internalError("\(files.configPath): no process")
        }
        process.args = command
        process.terminal = tty
        let runtime = ContainerRuntime(root: layout.runtimeRoot)
        var options = ExecOptions()
        let input = try FDPair.make()
        if tty {
            let console = try ConsoleListener(directory: "/tmp")
            options.tty = true
            options.consoleSocket = console.path
            options.stdin = input.read
            let pid = try runtime.exec(id: id, process: process, options: options)
            close(input.read)
            let master = try console.receiveMaster()
            let terminal = FileStream(fd: master)
            return ExecProcess(
                input: { data in if let data { terminal.write(data) } },
                stdout: { terminal.read() },
                stderr: nil,
                resize: { width, height in
                    var size = winsize(ws_row: height, ws_col: width, ws_xpixel: 0, ws_ypixel: 0)
                    _ = ioctl(master, UInt(TIOCSWINSZ), &size)
                },
                wait: {
                    let code = (try? Runtime.wait(pid: pid).code) ?? 255
                    close(input.write)
                    terminal.close()
                    return code
                })
        }
        let output = try FDPair.make()
        let errors = try FDPair.make()
        options.stdin = input.read
        options.stdout = output.write
        options.stderr = errors.write
        let pid: Int32
        do {
            pid = try runtime.exec(id: id, process: process, options: options)
        } catch {
            [input.read, input.write, output.read, output.write, errors.read, errors.write].forEach { close($0) }
            throw StatusError.badRequest("\(error)")
        }
        [input.read, output.write, errors.write].forEach { close($0) }
        let stdinStream = FileStream(fd: input.write)
        if !stdin { stdinStream.close() }
        let stdoutStream = FileStream(fd: output.read)
        let stderrStream = FileStream(fd: errors.read)
        return ExecProcess(
            input: { data in if let data { stdinStream.write(data) } else { stdinStream.close() } },
            stdout: { stdoutStream.read() },
            stderr: { stderrStream.read() },
            resize: { _, _ in },
            wait: {
                let code = (try? Runtime.wait(pid: pid).code) ?? 255
                stdinStream.close()
                stdoutStream.close()
                stderrStream.close()
                return code
            })
    }
}

/// A CLOEXEC pipe's two ends.
struct FDPair {
    var read: Int32
    var write: Int32

    static func make() throws -> FDPair {
        var fds: [Int32] = [-1, -1]
        guard crs_pipe_cloexec(&fds) == 0 else { throw KubeletError("pipe: \(String(cString: strerror(errno)))") }
        return FDPair(read: fds[0], write: fds[1])
    }
}

/// One fd read and written by several threads, closed once.
final class FileStream: @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32

    init(fd: Int32) { self.fd = fd }

    /// The next bytes, or nil at end of stream (or once closed).
    func read() -> Data? {
        let current = lock.withLock { fd }
        guard current >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = Glibc.read(current, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Data(buffer[0..<n]) : nil
        }
    }

    func write(_ data: Data) {
        let current = lock.withLock { fd }
        guard current >= 0 else { return }
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(current, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    func close() {
        lock.withLock {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }
}
