import Testing

@testable import Runtime
@testable import Images

private let passwd = """
    root:x:0:0:root:/root:/bin/sh
    nobody:x:65534:65534:nobody:/nonexistent:/bin/false
    app:x:1000:1001:App:/home/app:/bin/sh
    broken line
    """
private let group = """
    root:x:0:
    nogroup:x:65534:
    app:x:1001:
    staff:x:50:app,other
    video:x:44:app
    """
private let users = UserDatabase(passwd: passwd, group: group)

private func image(entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String]? = nil, workingDir: String? = nil, user: String? = nil) -> ImageConfig.ContainerDefaults {
    ImageConfig.ContainerDefaults(user: user, env: env, entrypoint: entrypoint, cmd: cmd, workingDir: workingDir)
}

@Suite struct ImageProcessDefaultsTests {
    @Test func imageEntrypointAndCmdWhenContainerSaysNothing() throws {
        let p = try ProcessDefaults.resolve(image: image(entrypoint: ["/entry"], cmd: ["a", "b"]), container: .init(), users: users)
        #expect(p.argv == ["/entry", "a", "b"])
    }

    @Test func commandReplacesEntrypointAndDropsCmd() throws {
        let p = try ProcessDefaults.resolve(image: image(entrypoint: ["/entry"], cmd: ["a"]), container: .init(command: ["/bin/sh"]), users: users)
        #expect(p.argv == ["/bin/sh"])
    }

    @Test func commandAndArgs() throws {
        let p = try ProcessDefaults.resolve(image: image(entrypoint: ["/entry"], cmd: ["a"]),
                                            container: .init(command: ["/bin/sh"], args: ["-c", "echo"]), users: users)
        #expect(p.argv == ["/bin/sh", "-c", "echo"])
    }

    @Test func argsReplaceOnlyCmd() throws {
        let p = try ProcessDefaults.resolve(image: image(entrypoint: ["/entry"], cmd: ["a"]), container: .init(args: ["x"]), users: users)
        #expect(p.argv == ["/entry", "x"])
    }

    @Test func emptyStringEntrypointIsIgnored() throws {
        let p = try ProcessDefaults.resolve(image: image(entrypoint: [""], cmd: ["sh"]), container: .init(), users: users)
        #expect(p.argv == ["sh"])
    }

    @Test func nothingToRunIsAnError() {
        #expect(throws: ProcessDefaults.Failure.noCommand) {
            try ProcessDefaults.resolve(image: image(), container: .init(), users: users)
        }
    }

    @Test func envMergesWithContainerWinningInPlace() throws {
        let p = try ProcessDefaults.resolve(
            image: image(cmd: ["sh"], env: ["PATH=/bin", "A=1", "B=2"]),
            container: .init(env: [.init("B", "container"), .init("C", "3")]), users: users)
        #expect(p.env == ["PATH=/bin", "A=1", "B=container", "C=3"])
    }

    @Test func defaultPathWhenImageHasNone() throws {
        let p = try ProcessDefaults.resolve(image: image(cmd: ["sh"]), container: .init(env: [.init("X", "a=b")]), users: users)
        #expect(p.env == [ProcessDefaults.defaultPath, "X=a=b"])
    }

    @Test func workingDirPrecedence() throws {
        let img = image(cmd: ["sh"], workingDir: "/srv")
        #expect(try ProcessDefaults.resolve(image: img, container: .init(), users: users).workingDir == "/srv")
        #expect(try ProcessDefaults.resolve(image: img, container: .init(workingDir: "/tmp"), users: users).workingDir == "/tmp")
        #expect(try ProcessDefaults.resolve(image: image(cmd: ["sh"]), container: .init(), users: users).workingDir == "/")
    }

    @Test func userFromImage() throws {
        func user(_ spec: String?) throws -> ProcessDefaults.ResolvedUser {
            try ProcessDefaults.resolve(image: image(cmd: ["sh"], user: spec), container: .init(), users: users).user
        }
        #expect(try user(nil) == .init(uid: 0, gid: 0, home: "/root"))
        #expect(try user("app") == .init(uid: 1000, gid: 1001, additionalGids: [50, 44], home: "/home/app"))
        #expect(try user("1000") == .init(uid: 1000, gid: 1001, additionalGids: [50, 44], home: "/home/app"))
        #expect(try user("4242") == .init(uid: 4242, gid: 0))
        #expect(try user("4242:7") == .init(uid: 4242, gid: 7))
        #expect(try user("app:staff") == .init(uid: 1000, gid: 50, additionalGids: [44], home: "/home/app"))
        #expect(try user("nobody:nogroup") == .init(uid: 65534, gid: 65534, home: "/nonexistent"))
    }

    @Test func unknownNamesAreErrors() {
        #expect(throws: ProcessDefaults.Failure.unknownUser("ghost")) {
            try ProcessDefaults.resolve(image: image(cmd: ["sh"], user: "ghost"), container: .init(), users: users)
        }
        #expect(throws: ProcessDefaults.Failure.unknownGroup("ghosts")) {
            try ProcessDefaults.resolve(image: image(cmd: ["sh"], user: "app:ghosts"), container: .init(), users: users)
        }
        #expect(throws: ProcessDefaults.Failure.invalidID("-1")) {
            try ProcessDefaults.resolve(image: image(cmd: ["sh"], user: "-1"), container: .init(), users: users)
        }
    }

    @Test func runAsUserOverridesImageUser() throws {
        let img = image(cmd: ["sh"], user: "app")
        #expect(try ProcessDefaults.resolve(image: img, container: .init(runAsUser: 2000), users: users).user == .init(uid: 2000, gid: 0))
        #expect(try ProcessDefaults.resolve(image: img, container: .init(runAsUser: 1000, runAsGroup: 3000), users: users).user
            == .init(uid: 1000, gid: 3000, additionalGids: [50, 44], home: "/home/app"))
        #expect(throws: ProcessDefaults.Failure.groupWithoutUser(3000)) {
            try ProcessDefaults.resolve(image: img, container: .init(runAsGroup: 3000), users: users)
        }
    }

    @Test func failureMessagesNameTheUser() {
        #expect(ProcessDefaults.Failure.unknownUser("ghost").description == "unable to find user ghost: no matching entries in passwd file")
    }
}
