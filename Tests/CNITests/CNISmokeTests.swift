import Testing
@testable import CNI

@Test func moduleLoads() { #expect(Bool(true)) }
