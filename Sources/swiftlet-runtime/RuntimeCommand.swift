import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Runtime

/// `swiftlet-runtime`: a runc-compatible OCI runtime command line.
struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet-runtime",
        abstract: "A runc-compatible OCI container runtime.",
        subcommands: [
            Create.self, Start.self, Run.self, StateCommand.self, Kill.self, Delete.self, Exec.self,
            Pause.self, Resume.self, List.self, SpecCommand.self,
        ]
    )

    @OptionGroup var globals: GlobalOptions
}

/// runc's global flags. containerd passes --log, --log-format and --systemd-cgroup; the
/// first two are accepted (errors still go to stderr), systemd cgroups are refused.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Directory for container state.")
    var root: String = "/run/swiftlet-runtime"

    @Option(name: .customLong("cgroup-parent"), help: "Parent of relative or absent linux.cgroupsPath values.")
    var cgroupParent: String = "/swiftlet"

    @Option(help: "Log file (accepted for runc compatibility).")
    var log: String?

    @Option(name: .customLong("log-format"), help: "Log format (accepted for runc compatibility).")
    var logFormat: String?

    @Flag(help: "Log debug messages to stderr.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use systemd cgroups (not supported).")
    var systemdCgroup = false

    func validate() throws {
        if systemdCgroup {
            throw ValidationError("--systemd-cgroup is not supported: swiftlet-runtime manages cgroupfs directly")
        }
    }

    var runtime: ContainerRuntime {
        Actions.errorLog = log
        Actions.errorLogJSON = logFormat == "json"
        return Actions.runtime(root: root, cgroupParent: cgroupParent, debug: debug)
    }
}

/// Runs a library call; a failure becomes one line on stderr and exit status 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        Actions.report(error)
        throw ExitCode(1)
    }
}
