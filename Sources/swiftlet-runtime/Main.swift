#if canImport(Glibc)
import Glibc
#endif

/// The entry point: the hot lifecycle command lines go through `FastPath`, everything
/// else (help, list, exec, spec, errors) through swift-argument-parser.
@main
enum SwiftletRuntimeMain {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if let command = FastPath.parse(args) {
            exit(command.execute())
        }
        RuntimeCommand.main()
    }
}
