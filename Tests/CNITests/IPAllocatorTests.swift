import NetAddress
import Testing

@testable import CNI

@Suite struct IPAllocatorTests {
    func ranges(_ json: String) throws -> [HostLocalConfig.Range] {
        try HostLocalConfig(ipam: JSONValue.parse(json)).rangeSets[0]
    }

    @Test func startsAtTheFirstHostAfterTheGateway() throws {
        let allocator = IPAllocator(ranges: try ranges(#"{"subnet":"10.244.0.0/24"}"#))
        let (ip, range) = try #require(allocator.next(lastReserved: nil, isTaken: { _ in false }))
        #expect(ip.description == "10.244.0.2")
        #expect(range.gateway?.description == "10.244.0.1")
        #expect(range.rangeEnd.description == "10.244.0.254")
    }

    @Test func continuesRoundRobinAfterTheLastReservation() throws {
        let allocator = IPAllocator(ranges: try ranges(#"{"subnet":"10.244.0.0/24"}"#))
        let next = allocator.next(lastReserved: IPv4Address("10.244.0.7"), isTaken: { _ in false })
        #expect(next?.0.description == "10.244.0.8")
        // After the end it wraps to the start (skipping the gateway .1).
        let wrapped = allocator.next(lastReserved: IPv4Address("10.244.0.254"), isTaken: { _ in false })
        #expect(wrapped?.0.description == "10.244.0.2")
    }

    @Test func skipsTakenAddressesAndReportsAFullSet() throws {
        let allocator = IPAllocator(
            ranges: try ranges(
                #"{"subnet":"10.245.1.0/24","rangeStart":"10.245.1.10","rangeEnd":"10.245.1.12"}"#))
        let taken: Set = [IPv4Address("10.245.1.10")!, IPv4Address("10.245.1.11")!]
        #expect(allocator.next(lastReserved: nil, isTaken: { taken.contains($0) })?.0.description == "10.245.1.12")
        #expect(allocator.next(lastReserved: nil, isTaken: { _ in true }) == nil)
    }

    @Test func walksAcrossTheRangesOfASet() throws {
        let json =
            #"{"ranges":[[{"subnet":"10.245.2.0/30"},{"subnet":"10.245.3.0/24","rangeStart":"10.245.3.5","rangeEnd":"10.245.3.6"}]]}"#
        let allocator = IPAllocator(ranges: try HostLocalConfig(ipam: JSONValue.parse(json)).rangeSets[0])
        var seen: [String] = []
        var last: IPv4Address?
        var taken = Set<IPv4Address>()
        while let (ip, _) = allocator.next(lastReserved: last, isTaken: { taken.contains($0) }) {
            seen.append(ip.description)
            taken.insert(ip)
            last = ip
        }
        #expect(seen == ["10.245.2.2", "10.245.3.5", "10.245.3.6"])
    }
}
