import CRuntimeShim
import NodeSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished child process left: its exit status and everything it wrote.
struct ProcessOutput {
    var status: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]

    var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingWhitespace() }
}

/// Runs an executable with posix_spawn (no Swift code in the child), feeding stdin and
/// collecting stdout and stderr through a poll loop so large outputs never deadlock.
enum ProcessRunner {
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
        return ()
    }()

    /// Looks up a program in the given directories; nil when absent.
    static func find(_ name: String, in dirs: [String]) -> String? {
        for dir in dirs where !dir.isEmpty {
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    static func run(_ path: String, arguments: [String] = [], environment: [String], stdin: [UInt8] = []) throws
        -> ProcessOutput
    {
        _ = ignoreSIGPIPE
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard crs_pipe_cloexec(&inPipe) == 0 else { throw SystemError("pipe for", path) }
        guard crs_pipe_cloexec(&outPipe) == 0 else {
            close(inPipe[0])
            close(inPipe[1])
            throw SystemError("pipe for", path)
        }
        guard crs_pipe_cloexec(&errPipe) == 0 else {
            close(inPipe[0])
            close(inPipe[1])
            close(outPipe[0])
            close(outPipe[1])
            throw SystemError("pipe for", path)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        if rc != 0 {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw SystemError("run", path, errno: rc)
        }

        var output = ProcessOutput(status: 0, stdout: [], stderr: [])
        var written = 0
        var inFD: Int32 = inPipe[1]
        if stdin.isEmpty {
            close(inFD)
            inFD = -1
        } else {
            _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        }
        var outFD: Int32 = outPipe[0]
        var errFD: Int32 = errPipe[0]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while inFD >= 0 || outFD >= 0 || errFD >= 0 {
            var fds = [
                pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: outFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: errFD, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if inFD >= 0 && fds[0].revents != 0 {
                let n = stdin.withUnsafeBytes { write(inFD, $0.baseAddress! + written, $0.count - written) }
                if n > 0 { written += n }
                if (n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin.count {
                    close(inFD)
                    inFD = -1
                }
            }
            for (slot, isOut) in [(1, true), (2, false)] where fds[slot].revents != 0 {
                let fd = isOut ? outFD : errFD
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if isOut {
                        output.stdout.append(contentsOf: buffer[0..<n])
                    } else {
                        output.stderr.append(contentsOf: buffer[0..<n])
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fd)
                    if isOut { outFD = -1 } else { errFD = -1 }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED/WEXITSTATUS are macros Swift cannot see.
        let signalled = status & 0x7f
        output.status = signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
        return output
    }
}
