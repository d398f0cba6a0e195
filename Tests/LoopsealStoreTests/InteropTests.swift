import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// Files Loopseal writes open with another libsodium binding (PyNaCl), following DESIGN.md §3.
@Suite struct InteropTests {
    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/pynacl_open.py").path
    }

    @Test func pynaclOpensLoopsealSealedFiles() throws {
        let ws = try TempWorkspace(recipients: 2)
        let values = ["PLAIN": "hello", "QUOTES": "it's \"quoted\"", "UNICODE": "héllo ✓ 日本", "EMPTY": "",
                      "MULTILINE": "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"]
        for (key, value) in values { try ws.service.upsert(key: key, value: try secure(value)) }
        for identity in [ws.alice, ws.bob] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Self.scriptPath, "test"] + (try values.keys.sorted().map { try ws.path($0) })
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data((identity.encodedSecretKey() + "\n").utf8))
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "PyNaCl could not open the files (pip install pynacl pyyaml): \(stderr)")
            let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
            #expect(decoded == values)
        }
    }
}
