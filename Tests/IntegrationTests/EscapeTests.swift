import Foundation
import KubeAPI
import Kubelet
import Testing

/// One agent shared by the escape tests (starting a node per attempt would cost more than
/// the attempts): a victim pod holding a secret in its rootfs, an attacker pod with the
/// default security context, a privileged pod, and two pods whose subPath symlinks point
/// outside their volumes. The static `escapetool` (scripts/reliability/escapetool.c) is
/// bind-mounted read-only at /tools.
final class EscapeNode: @unchecked Sendable {
    static let secret = "victim-secret-7c1f"
    let node: AgentHarness
    let tools: String
    private let lock = NSLock()
    private var shutDownDone = false

    static let shared: Result<EscapeNode, Error> = {
        do {
            let escape = try EscapeNode()
            atexit { if case .success(let escape) = EscapeNode.shared { escape.shutDown() } }
            return .success(escape)
        } catch {
            return .failure(error)
        }
    }()

    /// The shared node, or the reason it could not start.
    static func get() throws -> EscapeNode { try shared.get() }

    private init() throws {
        node = try AgentHarness("escape")
        tools = node.base + "/tools"
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        var output = Data()
        let status = ImageFixtures.run("/usr/bin/gcc", ["-static", "-O2", "-o", tools + "/escapetool", packageRoot + "/scripts/reliability/escapetool.c"], output: &output)
        guard status == 0 else {
            node.shutDown()
            throw KubeletError("cannot build escapetool: \(String(decoding: output, as: UTF8.self))")
        }
        // A host directory whose entry `link` points at the host's /etc.
        try FileManager.default.createDirectory(atPath: node.base + "/hostvol", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: node.base + "/hostvol/link", withDestinationPath: "/etc")
        try node.start()
        try node.write("victim.yaml", Self.pod("victim", tools: tools, command: "echo \(Self.secret) > /victim-secret && exec sleep 1000001"))
        try node.write("attacker.yaml", Self.pod("attacker", tools: tools, command: "exec sleep 1000000"))
        try node.write("privileged.yaml", Self.pod("privileged", tools: tools, command: "exec sleep 1000000", security: "securityContext: {privileged: true}"))
        try node.write("subpath-emptydir.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: subpath-emptydir}
            spec:
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: plant
                image: busybox
                imagePullPolicy: Never
                command: ["sh", "-c", "ln -s / /data/escape && ln -s ../../../../../.. /data/climb"]
                volumeMounts: [{name: data, mountPath: /data}]
              containers:
              - name: c
                image: busybox
                imagePullPolicy: Never
                command: ["sleep", "1000000"]
                volumeMounts:
                - {name: data, mountPath: /host, subPath: escape}
                - {name: data, mountPath: /climb, subPath: climb}
              volumes:
              - {name: data, emptyDir: {}}
            """)
        try node.write("subpath-hostpath.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: subpath-hostpath}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: busybox
                imagePullPolicy: Never
                command: ["sleep", "1000000"]
                volumeMounts: [{name: h, mountPath: /host-etc, subPath: link}]
              volumes:
              - {name: h, hostPath: {path: \(node.base)/hostvol, type: Directory}}
            """)
        guard node.wait(60, { ["victim", "attacker", "privileged"].allSatisfy(node.running) }) else {
            let log = node.agentLog
            node.shutDown()
            throw KubeletError("escape pods never ran:\n\(log)")
        }
    }

    /// A pod running `sh -c command` in container `c`, with /tools mounted read-only.
    static func pod(_ name: String, tools: String, command: String, security: String = "") -> String {
        TestManifests.pod(name, labels: [:], containers: TestManifests.container(
            command: ["sh", "-c", command], security, "volumeMounts: [{name: tools, mountPath: /tools, readOnly: true}]"),
            volumes: "- {name: tools, hostPath: {path: \(tools), type: Directory}}")
    }

    /// `sh -c command` in `pod`: (exit status, output).
    func run(_ pod: String, _ command: String) -> (status: Int32, output: String) {
        node.cli(["exec", pod, "-c", "c", "--", "sh", "-c", command])
    }

    /// The host PID of `pod`'s container init.
    func hostPID(_ pod: String) -> Int32? {
        guard let id = node.status(pod, "c")?.containerID?.components(separatedBy: "://").last else { return nil }
        return ContainerFiles(root: node.root, id: id).monitor()?.pid
    }

    func shutDown() {
        lock.lock()
        defer { lock.unlock() }
        guard !shutDownDone else { return }
        shutDownDone = true
        node.shutDown()
    }
}

/// Issue #8 §4: escapes from a default pod that must fail, and what a privileged pod gets.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct EscapeTests {
    @Test func writingSysrqTriggerIsRefused() throws {
        let escape = try EscapeNode.get()
        // `h` only prints help to the kernel log, should the write ever get through.
        let attempt = escape.run("attacker", "(echo h > /proc/sysrq-trigger) 2>&1 && echo WROTE")
        #expect(attempt.status != 0 && !attempt.output.contains("WROTE"), "\(attempt.output)")
        #expect(attempt.output.contains("/proc/sysrq-trigger"), "\(attempt.output)")
    }

    @Test func remountingSysReadWriteIsRefused() throws {
        let escape = try EscapeNode.get()
        let attempt = escape.run("attacker", "mount -o remount,rw /sys && echo REMOUNTED")
        #expect(attempt.status != 0 && !attempt.output.contains("REMOUNTED"), "\(attempt.output)")
        let mounts = escape.run("attacker", "grep ' /sys ' /proc/self/mountinfo").output
        #expect(mounts.contains(" ro,") || mounts.contains(" ro "), "/sys is not read-only: \(mounts)")
        #expect(escape.run("attacker", "touch /sys/kernel/escape 2>&1").status != 0)
    }

    @Test func loadingAKernelModuleIsRefused() throws {
        let escape = try EscapeNode.get()
        let initModule = escape.run("attacker", "/tools/escapetool initmodule")
        #expect(initModule.status == 1 && initModule.output == "EPERM\n", "\(initModule.output)")
        let finitModule = escape.run("attacker", "/tools/escapetool finitmodule /bin/busybox")
        #expect(finitModule.status == 1 && finitModule.output == "EPERM\n", "\(finitModule.output)")
        let insmod = escape.run("attacker", "insmod /bin/busybox 2>&1")
        #expect(insmod.status != 0, "\(insmod.output)")
        // The refusal is the permission, not the bogus module: a privileged pod gets further.
        let privileged = escape.run("privileged", "/tools/escapetool initmodule")
        #expect(privileged.output != "EPERM\n", "\(privileged.output)")
    }

    @Test func mountIsRefused() throws {
        let escape = try EscapeNode.get()
        let busybox = escape.run("attacker", "mount -t tmpfs none /tmp 2>&1 && echo MOUNTED")
        #expect(busybox.status != 0 && !busybox.output.contains("MOUNTED"), "\(busybox.output)")
        let syscall = escape.run("attacker", "/tools/escapetool mount")
        #expect(syscall.status == 1 && syscall.output == "EPERM\n", "\(syscall.output)")
    }

    @Test func unsharingAUserNamespaceIsRefused() throws {
        let escape = try EscapeNode.get()
        let busybox = escape.run("attacker", "unshare -U -r id -u && echo UNSHARED")
        #expect(busybox.status != 0 && !busybox.output.contains("UNSHARED"), "\(busybox.output)")
        let syscall = escape.run("attacker", "/tools/escapetool userns")
        #expect(syscall.status == 1 && syscall.output == "EPERM\n", "\(syscall.output)")
    }

    @Test func ptraceOfAProcessOutsideThePodIsRefused() throws {
        let escape = try EscapeNode.get()
        let victim = try #require(escape.hostPID("victim"))
        let attempt = escape.run("attacker", "/tools/escapetool ptrace \(victim)")
        #expect(attempt.status == 1, "attached to the victim's pid \(victim): \(attempt.output)")
        // The victim's processes are not even visible in the attacker's PID namespace.
        let ps = escape.run("attacker", "ps -o pid,args").output
        #expect(ps.contains("sleep 1000000") && !ps.contains("sleep 1000001"), "\(ps)")
    }

    @Test func anotherPodsFilesAreNotVisible() throws {
        let escape = try EscapeNode.get()
        let id = try #require(escape.node.status("victim", "c")?.containerID?.components(separatedBy: "://").last)
        let rootfs = ContainerFiles(root: escape.node.root, id: id).rootfsPath
        #expect((try? String(contentsOfFile: rootfs + "/victim-secret", encoding: .utf8)) == EscapeNode.secret + "\n", "the victim wrote its secret")
        let direct = escape.run("attacker", "cat \(rootfs)/victim-secret")
        #expect(direct.status != 0 && !direct.output.contains(EscapeNode.secret), "\(direct.output)")
        let search = escape.run("attacker", "grep -rl \(EscapeNode.secret) / --exclude-dir=proc --exclude-dir=sys 2>/dev/null; true")
        #expect(!search.output.contains("victim-secret"), "the secret is reachable: \(search.output)")
    }

    @Test func theAgentsStateIsNotVisible() throws {
        let escape = try EscapeNode.get()
        for path in ["/var/lib/swiftlet", "/run/swiftlet", escape.node.root, escape.node.root + "/agent.json", escape.node.base + "/run"] {
            let attempt = escape.run("attacker", "ls \(path)")
            #expect(attempt.status != 0, "\(path) is visible: \(attempt.output)")
        }
        let search = escape.run("attacker", "find / -xdev -name agent.json -o -xdev -name pod.json 2>/dev/null; true")
        #expect(search.output.isEmpty, "\(search.output)")
    }

    @Test func subPathSymlinksOutOfTheVolumeAreRefused() throws {
        let escape = try EscapeNode.get()
        let node = escape.node
        for pod in ["subpath-emptydir", "subpath-hostpath"] {
            #expect(node.wait(30) { node.status(pod, "c")?.state?.waiting?.reason == "CreateContainerConfigError" }, "\(pod): \(String(describing: node.status(pod, "c")))")
            let message = node.status(pod, "c")?.state?.waiting?.message ?? ""
            #expect(message.contains("subPath") && message.contains("outside the volume"), "\(pod): \(message)")
            #expect(node.status(pod, "c")?.state?.running == nil)
        }
        #expect(node.cli(["describe", "pod", "subpath-emptydir"]).output.contains("outside the volume"))
    }

    @Test func aPrivilegedPodCanMountAndHasEveryCapability() throws {
        let escape = try EscapeNode.get()
        let mount = escape.run("privileged", "mount -t tmpfs none /tmp 2>&1 && echo MOUNTED")
        #expect(mount.status == 0 && mount.output.contains("MOUNTED"), "\(mount.output)")
        let ours = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("CapBnd:") }?.split(separator: "\t").last.map(String.init)
        let theirs = escape.run("privileged", "grep CapEff /proc/self/status").output
        #expect(theirs == "CapEff:\t\(ours ?? "?")\n", "privileged CapEff \(theirs) vs the node's bounding set \(ours ?? "?")")
        #expect(escape.run("privileged", "mount -o remount,rw /sys && echo RW").output.contains("RW"))
        let defaultCaps = escape.run("attacker", "grep CapEff /proc/self/status").output
        #expect(defaultCaps != theirs, "\(defaultCaps)")
    }
}
