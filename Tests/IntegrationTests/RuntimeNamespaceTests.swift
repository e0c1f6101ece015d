import Foundation
import Testing
import Runtime

/// Namespace combinations runc accepts, through create + start beside runc: no mount
/// namespace (the root is a chroot in the caller's), and a hostname set in a UTS namespace
/// joined by path.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeNamespaceTests {
    func nsInode(_ path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    }

    @Test func aConfigWithoutAMountNamespaceRunsChrootedInTheCallersOne() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "nomnt-\(cli.name)"
            // The spec's mounts land in the caller's (this test's) namespace and outlive the
            // container, as with runc: a rootfs copy of our own keeps them off the shared one.
            let rootfs = sandbox.work + "/rootfs-\(id)"
            #expect(spawnAndWait(["/bin/cp", "-a", RuntimeTestImage.rootfs, rootfs], stdout: "/dev/null", stderr: "/dev/null").code == 0)
            defer { _ = umount2(rootfs + "/proc", Int32(MNT_DETACH)) }
            var spec = try sandbox.spec(["sh", "-c", "ls /; readlink /proc/1/exe; exec sleep 30"])
            spec.root = Root(path: rootfs, readonly: false)
            spec.linux?.namespaces?.removeAll { $0.type == .mount }
            spec.linux?.maskedPaths = nil
            spec.linux?.readonlyPaths = nil
            // runc needs /proc in the container (it reopens fds through /proc/self/fd).
            spec.mounts = [Mount(destination: "/proc", type: "proc", source: "proc")]
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            let pid = cli.pid(id)
            #expect(pid > 0)
            #expect(nsInode("/proc/\(pid)/ns/mnt") == nsInode("/proc/self/ns/mnt"), "\(cli.name): a mount namespace of its own")
            #expect(nsInode("/proc/\(pid)/ns/pid") != nsInode("/proc/self/ns/pid"), "\(cli.name)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root")) == rootfs, "\(cli.name)")
            var listing = ""
            for _ in 0..<200 where !listing.hasSuffix("busybox\n") { listing = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""; usleep(10_000) }
            let expected = try FileManager.default.contentsOfDirectory(atPath: RuntimeTestImage.rootfs).sorted() + ["/bin/busybox"]
            #expect(listing.split(separator: "\n").map(String.init) == expected, "\(cli.name): \(listing)")
            #expect(cli.run(["delete", "--force", id]).status.code == 0, "\(cli.name)")
        }
    }

    @Test func aHostnameIsSetInAUTSNamespaceJoinedByPath() throws {
        let sandbox = try RuntimeSandbox()
        let owner = OCIRuntimeCLI.swiftlet(sandbox)
        // A container owning a UTS namespace, whose /proc/PID/ns/uts the others join.
        let ownerBundle = try sandbox.bundle(try sandbox.spec(["sleep", "30"]), name: "uts-owner")
        #expect(owner.run(["run", "--detach", "--bundle", ownerBundle, "uts-owner"]).status.code == 0)
        let ownerPid = owner.pid("uts-owner")
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "utsjoin-\(cli.name)"
            var spec = try sandbox.spec(["hostname"])
            let namespaces = (spec.linux?.namespaces ?? []).map {
                $0.type == .uts ? LinuxNamespace(type: .uts, path: "/proc/\(ownerPid)/ns/uts") : $0
            }
            spec.linux?.namespaces = namespaces
            spec.hostname = "joined-\(cli.name)"
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name)")
            #expect((try? String(contentsOfFile: output, encoding: .utf8)) == "joined-\(cli.name)\n", "\(cli.name)")
            // The joined namespace holds the new name: the owner sees it too.
            let seen = owner.run(["exec", "uts-owner", "hostname"])
            #expect(seen.stdout == "joined-\(cli.name)\n", "\(cli.name): \(seen.stderr)")
            #expect(cli.run(["delete", id]).status.code == 0)
        }
        #expect(owner.run(["delete", "--force", "uts-owner"]).status.code == 0)
    }
}
