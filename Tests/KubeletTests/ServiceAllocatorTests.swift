import Foundation
import KubeAPI
import Testing
@testable import Kubelet

/// The API server's allocators on one node: ClusterIPs, NodePorts and creation times, kept
/// across passes (and so across agent restarts, through `services.json`).
@Suite struct ServiceAllocatorTests {
    let allocator = try! ServiceAllocator(serviceCIDR: "10.96.0.0/16", reserved: ["10.96.0.10"])
    let t0 = KubeTime(Date(timeIntervalSince1970: 1_700_000_000))
    let t1 = KubeTime(Date(timeIntervalSince1970: 1_700_000_600))

    func service(_ name: String, clusterIP: String? = nil, type: ServiceType? = nil, nodePort: Int? = nil) -> Service {
        Service(metadata: ObjectMeta(name: name, namespace: "default"),
                spec: ServiceSpec(ports: [ServicePort(name: "http", port: 80, nodePort: nodePort)], clusterIP: clusterIP, type: type))
    }

    @Test func newServicesGetTheNextFreeAddressAndAreStampedNow() {
        let (allocations, services, errors) = allocator.allocate([service("a"), service("b")], previous: ServiceAllocations(), now: t0)
        #expect(errors.isEmpty)
        #expect(services.map(\.spec.clusterIP) == ["10.96.0.2", "10.96.0.3"])
        #expect(services.map(\.metadata.creationTimestamp) == [t0, t0])
        #expect(allocations.services["default/a"]?.creationTimestamp == t0)
    }

    @Test func aServiceKeepsItsAddressAndCreationTimeInLaterPasses() {
        let (first, _, _) = allocator.allocate([service("a", type: .nodePort)], previous: ServiceAllocations(), now: t0)
        // A newcomer listed first does not take the address or port of the one already served.
        let (_, services, errors) = allocator.allocate([service("new", type: .nodePort), service("a", type: .nodePort)], previous: first, now: t1)
        #expect(errors.isEmpty)
        #expect(services[1].spec.clusterIP == first.services["default/a"]?.clusterIP)
        #expect(services[1].spec.ports?.first?.nodePort == 30000)
        #expect(services[1].metadata.creationTimestamp == t0)
        #expect(services[0].metadata.creationTimestamp == t1)
        #expect(services[0].spec.clusterIP != services[1].spec.clusterIP)
    }

    @Test func aRecreatedServiceIsStampedAgain() {
        let (first, _, _) = allocator.allocate([service("a")], previous: ServiceAllocations(), now: t0)
        let (gone, _, _) = allocator.allocate([], previous: first, now: t1)
        let (_, services, _) = allocator.allocate([service("a")], previous: gone, now: t1)
        #expect(services.first?.metadata.creationTimestamp == t1)
    }

    @Test func requestedAddressesAreHonouredAndConflictsNamed() {
        let (_, services, errors) = allocator.allocate(
            [service("auto"), service("one", clusterIP: "10.96.0.2"), service("two", clusterIP: "10.96.0.2"), service("out", clusterIP: "10.1.0.1")],
            previous: ServiceAllocations(), now: t0)
        #expect(services.map(\.metadata.name) == ["auto", "one"])
        #expect(services.map(\.spec.clusterIP) == ["10.96.0.3", "10.96.0.2"])
        #expect(errors.sorted() == [
            "Service default/out: spec.clusterIP: Invalid value: \"10.1.0.1\": provided IP is not in the valid range 10.96.0.0/16",
            "Service default/two: spec.clusterIP: Invalid value: \"10.96.0.2\": provided IP is already allocated",
        ])
    }

    @Test func aServiceKeepsItsAddressAgainstALaterRequestForIt() {
        let (first, _, _) = allocator.allocate([service("web")], previous: ServiceAllocations(), now: t0)
        let (_, services, errors) = allocator.allocate([service("web"), service("thief", clusterIP: "10.96.0.2")], previous: first, now: t1)
        #expect(services.map(\.metadata.name) == ["web"])
        #expect(services.first?.spec.clusterIP == "10.96.0.2")
        #expect(errors == ["Service default/thief: spec.clusterIP: Invalid value: \"10.96.0.2\": provided IP is already allocated"])
    }

    @Test func aConflictNamesTheManifestFileTheServiceCameFrom() {
        var late = service("late", type: .nodePort, nodePort: 30080)
        late.metadata.annotations = [StaticPods.sourceAnnotation: "/etc/swiftlet/manifests/late.yaml"]
        let (_, services, errors) = allocator.allocate([service("first", type: .nodePort, nodePort: 30080), late],
                                                        previous: ServiceAllocations(), now: t0)
        #expect(services.map(\.metadata.name) == ["first", "late"])
        #expect(errors == ["late.yaml: Service default/late: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated or out of range"])
    }

    @Test func theServiceCIDRIsAnIPv4NetworkOf8To30Bits() throws {
        for bad in ["10.96.0.0/7", "10.96.0.0/31", "10.96.0.0", "10.96.0/16", "10.96.0.0/016", "010.96.0.0/16", "10.96.0.0//16"] {
            #expect(throws: AllocationError(description: "invalid service CIDR \(bad)")) { try ServiceAllocator(serviceCIDR: bad) }
        }
        // Host bits are cleared, as before.
        #expect(try ServiceAllocator(serviceCIDR: "10.96.7.9/16").serviceCIDR.description == "10.96.0.0/16")
    }

    @Test func aSmallRangeSkipsTheFirstHostAndFills() throws {
        let small = try ServiceAllocator(serviceCIDR: "10.96.0.4/30")
        let (_, services, errors) = small.allocate([service("a"), service("b")], previous: ServiceAllocations(), now: t0)
        #expect(services.map(\.spec.clusterIP) == ["10.96.0.6"])
        #expect(errors == ["Service default/b: spec.clusterIP: failed to allocate an IP: the range 10.96.0.4/30 is full"])
    }

    @Test func aRequestedAddressWithALeadingZeroIsNotInTheRange() {
        let (_, services, errors) = allocator.allocate([service("z", clusterIP: "10.96.0.020")], previous: ServiceAllocations(), now: t0)
        #expect(services.isEmpty)
        #expect(errors == ["Service default/z: spec.clusterIP: Invalid value: \"10.96.0.020\": provided IP is not in the valid range 10.96.0.0/16"])
    }

    @Test func theNodeAddressIsThePodNetworksFirstHost() {
        #expect(AgentRunner.gatewayIP(of: "10.244.0.0/24") == "10.244.0.1")
        #expect(AgentRunner.gatewayIP(of: "10.245.8.0/21") == "10.245.8.1")
        #expect(AgentRunner.gatewayIP(of: "not a cidr") == nil)
    }
}
