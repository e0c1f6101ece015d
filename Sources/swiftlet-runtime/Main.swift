#if canImport(Glibc)
import Glibc
#endif

/// The entry point: the hot lifecycle command lines go through `FastPath`, everything
/// else (help, list, exec, spec, errors) through swift-argument-parser.
@main
enum SwiftletRuntimeMain {
    static func main() {
        // runc's boolean flags also come as --flag=false / --flag=true.
        let args = CommandLine.arguments.dropFirst().compactMap { arg -> String? in
            switch arg {
            case "--systemd-cgroup=false": return nil
            case "--systemd-cgroup=true": return "--systemd-cgroup"
            default: return arg
            }
        }
        if let command = FastPath.parse(args) {
            exit(command.execute())
        }
        RuntimeCommand.main(args)
    }
}
