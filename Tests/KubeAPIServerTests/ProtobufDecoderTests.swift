import APIStore
import Foundation
import Testing
@testable import KubeAPIServer

/// Bodies as kubectl's typed clients encode them (`application/vnd.kubernetes.protobuf`).
@Suite struct ProtobufDecoderTests {
    func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes }
    func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }
    func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    func envelope(kind: String, apiVersion: String, _ raw: [UInt8]) -> Data {
        Data(ProtobufObjectDecoder.magic + field(1, field(1, apiVersion) + field(2, kind)) + field(2, raw))
    }

    @Test func configMapWithDataAndEmptyFieldsLeftOut() throws {
        let metadata = field(1, "cfg") + field(2, "") + field(3, "default") + field(8, [])
        let entry = field(1, "color") + field(2, "blue")
        let body = envelope(kind: "ConfigMap", apiVersion: "v1", field(1, metadata) + field(2, entry))
        let object = try ProtobufObjectDecoder.decode(body)
        #expect(object == [
            "kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "cfg", "namespace": "default"], "data": ["color": "blue"],
        ])
    }

    @Test func deploymentReplicasZeroIsKeptAndUnknownContentRefused() throws {
        let spec: [UInt8] = [0x08, 0x00]  // replicas = 0, a pointer: meant
        let object = try ProtobufObjectDecoder.decode(envelope(kind: "Deployment", apiVersion: "apps/v1", field(1, field(1, "d")) + field(2, spec)))
        #expect(object[path: ["spec", "replicas"]] == 0)
        let container = field(1, "c") + field(10, field(1, "x"))  // a container with a livenessProbe
        let pod = envelope(kind: "Pod", apiVersion: "v1", field(1, field(1, "p")) + field(2, field(2, container)))
        #expect(throws: ProtobufObjectDecoder.Unsupported.self) { try ProtobufObjectDecoder.decode(pod) }
    }
}
