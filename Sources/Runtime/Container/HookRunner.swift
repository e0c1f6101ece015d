import NodeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs OCI hooks on the host: each gets the container's state JSON on stdin and must exit
/// 0 within its timeout.
enum HookRunner {
    static func run(_ hooks: [Hook], state: ContainerState, phase: String) throws {
        let json = Array(try JSONEncoder().encode(state))
        for hook in hooks {
            try run(hook, stdin: json, phase: phase)
        }
    }

    private static func run(_ hook: Hook, stdin: [UInt8], phase: String) throws {
        var pipeFDs: [Int32] = [0, 0]
        // A socket pair rather than a pipe: send(MSG_NOSIGNAL) lets a hook that does not read
        // its stdin fail the write instead of raising SIGPIPE in the caller.
        try sys("socketpair", "hook \(hook.path)") {
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipeFDs)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
        let args = hook.args ?? [hook.path]
        let argv = args.map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, hook.path, &actions, &attr, argv, envp)
        close(pipeFDs[0])
        if rc != 0 {
            close(pipeFDs[1])
            throw SystemError(errno: rc, operation: "\(phase) hook", detail: hook.path)
        }
        // A hook that does not read its stdin must not block us: ignore EPIPE.
        var offset = 0
        while offset < stdin.count {
            let n = stdin.withUnsafeBytes { send(pipeFDs[1], $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        close(pipeFDs[1])
        var status: Int32 = 0
        if let timeout = hook.timeout, timeout > 0 {
            var waited = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if waited >= timeout * 1000 {
                    kill(pid, SIGKILL)
                    _ = waitpid(pid, &status, 0)
                    throw SystemError(errno: ETIMEDOUT, operation: "\(phase) hook", detail: hook.path)
                }
                usleep(1000)
                waited += 1
            }
        } else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let exit = ExitStatus(waitStatus: status)
        if exit.code != 0 {
            throw RuntimeError.invalidConfig(field: "\(phase) hook \(hook.path)", reason: "exited with status \(exit.code)")
        }
    }
}
