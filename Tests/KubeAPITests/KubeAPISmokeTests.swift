import Testing
@testable import KubeAPI

@Test func moduleLoads() { #expect(Bool(true)) }
