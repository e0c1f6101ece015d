import Testing
@testable import KubeProxy

@Test func moduleLoads() { #expect(Bool(true)) }
