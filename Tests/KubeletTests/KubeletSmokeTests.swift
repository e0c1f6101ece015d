import Testing
@testable import Kubelet

@Test func moduleLoads() { #expect(Bool(true)) }
