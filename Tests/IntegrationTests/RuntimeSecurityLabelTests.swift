import Foundation
import Testing
import Runtime

/// An AppArmor profile or SELinux label on a host without that module fails create, with
/// runc and crun failing it too: a confinement that cannot be applied is never skipped.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeSecurityLabelTests {
    var hostHasNeither: Bool {
        !FileManager.default.fileExists(atPath: "/sys/fs/selinux/enforce")
            && !FileManager.default.fileExists(atPath: "/sys/kernel/security/apparmor")
    }

    @Test(arguments: ["apparmorProfile", "mountLabel"])
    func aLabelTheHostCannotApplyFailsCreate(field: String) throws {
        guard hostHasNeither else { return }
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "label-\(cli.name)"
            var spec = try sandbox.spec(["true"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            let expected: String
            if field == "apparmorProfile" {
                spec.process?.apparmorProfile = "swiftlet-test-profile"
                expected = "process.apparmorProfile: an AppArmor profile is given, but AppArmor is not enabled on this host"
            } else {
                spec.linux?.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
                expected = "linux.mountLabel: an SELinux mount label is given, but SELinux is disabled or not supported on this host"
            }
            let (create, _) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code != 0, "\(cli.name) ran with \(field) on a host without its module")
            if cli.name == "swiftlet-runtime" {
                #expect(create.stderr == "swiftlet-runtime: config.json: \(expected)\n")
            }
            _ = cli.run(["delete", "--force", id])
            #expect(cli.status(id) == nil)
        }
    }
}
