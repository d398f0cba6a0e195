import CSodium
import Foundation
import LoopsealCrypto
@testable import LoopsealStore
import LoopsealSystem
import Testing

/// `Tests/Vectors/*.json` (docs/FORMAT.md §11): every `good_*` file is rebuilt byte for byte from
/// its inputs, then decoded, opened and checked; every `fail_*` file is refused for its reason.
@Suite struct TestVectorTests {
    struct Vector: Decodable {
        struct Entry: Decodable {
            var identity: String
            var recipient: String
            var ephemeralSecretKey: String
            var ephemeralPublicKey: String
            var sealedBoxNonce: String
            var sealedDataKey: String
        }
        var name: String
        var workspace: String
        var id: String?
        var key: String?
        var value: String?
        var dataKey: String?
        var nonce: String?
        var associatedData: String?
        var recipients: [Entry]?
        var writers: [String: String]
        var signingKey: String?
        var signedBytes: String?
        var identity: String?
        var file: String
        var error: String?
        var metadata: [String: String]?
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Vectors")
    }

    static func load(prefix: String) throws -> [Vector] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONDecoder().decode(Vector.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    @Test func thereAreVectorsForEveryCaseTheSpecNames() throws {
        let good = try Self.load(prefix: "good_").map(\.name)
        let fail = try Self.load(prefix: "fail_").map(\.name)
        for name in ["good_one_recipient", "good_two_recipients", "good_declared", "good_signed", "good_multiline_utf8"] {
            #expect(good.contains(name), "missing \(name)")
        }
        for name in ["good_metadata", "good_signed_metadata"] { #expect(good.contains(name), "missing \(name)") }
        for name in ["fail_unsigned", "fail_unlisted_writer", "fail_signature_over_other_bytes", "fail_signature_moved",
                     "fail_tampered_recipients", "fail_metadata_changed", "fail_metadata_signed_by_non_writer"] {
            #expect(fail.contains(name), "missing \(name)")
        }
    }

    /// Vector names for parameterized tests (the test above fails if any expected one is missing).
    static func names(_ prefix: String) -> [String] { ((try? load(prefix: prefix)) ?? []).map(\.name) }

    @Test(arguments: TestVectorTests.names("good_"))
    func goodVectorIsRebuiltByteForByteAndOpens(name: String) throws {
        let vector = try #require(try Self.load(prefix: name).first { $0.name == name })
        let writers = try vector.writers.sorted { $0.key < $1.key }.map { Writer(name: $0.key, publicKey: try SigningPublicKey(string: $0.value)) }
        let signatures = WriterSignatures(workspaceID: vector.workspace, writers: writers)
        let id = try #require(vector.id), key = try #require(vector.key)

        // Build the file from the inputs alone.
        var secret = SealedSecret(id: id, key: key, value: nil, recipients: [:])
        if let metadata = vector.metadata {
            secret.metadata = SecretMetadata(owner: metadata["owner"], expires: metadata["expires"].flatMap(CalendarDate.init(string:)),
                                             rotateEvery: metadata["rotateEvery"].flatMap(RotationPeriod.init(string:)),
                                             rotated: metadata["rotated"].flatMap(CalendarDate.init(string:)),
                                             description: metadata["description"])
            #expect(secret.metadata.owner != nil || secret.metadata.description != nil)
        }
        if let value = vector.value {
            let dataKey = try SecureBytes(copying: try hex(#require(vector.dataKey)))
            let nonce = try hex(#require(vector.nonce))
            let associatedData = SecretSealer(workspaceID: vector.workspace).associatedData(for: key)
            #expect(String(decoding: associatedData, as: UTF8.self) == vector.associatedData)
            secret.value = nonce + (try AEAD.seal(try SecureBytes(copying: Array(value.utf8)), key: dataKey, nonce: nonce, associatedData: associatedData))
            for entry in vector.recipients ?? [] {
                let identity = try Identity(string: entry.identity)
                #expect(identity.publicKey.description == entry.recipient)
                let sealed = try sealDeterministically(dataKey, to: identity.publicKey, ephemeral: entry)
                #expect(Data(sealed).base64EncodedString() == entry.sealedDataKey)
                secret.recipients[entry.recipient] = sealed
            }
        }
        if let text = vector.signingKey {
            let signingKey = try SigningKey(string: text)
            let signedBytes = WriterSignatures.signedBytes(of: secret, workspaceID: vector.workspace, writer: signingKey.publicKey)
            #expect(String(decoding: signedBytes, as: UTF8.self) == vector.signedBytes)
            secret = signatures.sign(secret, with: signingKey)
        }
        let expected = Array(vector.file.utf8)
        #expect(SealedSecretCodec.encode(secret) == expected, "\(name): rebuilt file differs from the vector")

        // Read it back: decode, check the signature, open with every recipient.
        let decoded = try SealedSecretCodec.decode(expected, file: name)
        #expect(decoded == secret)
        try signatures.verify(decoded, file: name)
        #expect((decoded.signature != nil) == signatures.required)
        let sealer = SecretSealer(workspaceID: vector.workspace)
        for entry in vector.recipients ?? [] {
            let opened = try sealer.open(decoded, identities: [try Identity(string: entry.identity)], file: name)
            #expect(plain(opened) == vector.value)
        }
        #expect(decoded.hasValue == (vector.value != nil))
    }

    @Test(arguments: TestVectorTests.names("fail_"))
    func failVectorIsRefusedForItsReason(name: String) throws {
        let vector = try #require(try Self.load(prefix: name).first { $0.name == name })
        let writers = try vector.writers.sorted { $0.key < $1.key }.map { Writer(name: $0.key, publicKey: try SigningPublicKey(string: $0.value)) }
        if vector.error == "malformed" {
            let error = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(Array(vector.file.utf8), file: name) }
            guard case .malformed? = error else { Issue.record("\(name): expected malformed, got \(String(describing: error))"); return }
            return
        }
        let decoded = try SealedSecretCodec.decode(Array(vector.file.utf8), file: name)
        let error = #expect(throws: StoreError.self) {
            try WriterSignatures(workspaceID: vector.workspace, writers: writers).verify(decoded, file: name)
            if let identity = vector.identity {
                _ = try SecretSealer(workspaceID: vector.workspace).open(decoded, identities: [try Identity(string: identity)], file: name)
            }
        }
        switch (vector.error, error) {
        case ("unsigned", .unsigned?), ("signedByNonWriter", .signedByNonWriter?), ("badSignature", .badSignature?), ("openFailed", .openFailed?):
            break
        default:
            Issue.record("\(name): expected \(vector.error ?? "?"), got \(String(describing: error))")
        }
    }

    @Test func pythonReimplementationFromTheSpecMakesTheSameVectors() throws {
        let result = try runPython([Self.directory.appendingPathComponent("generate.py").path, "--check"])
        #expect(result.status == 0, "generate.py --check (pip install pynacl): \(result.stderr)")
    }

    @Test func pynaclOpensTheSignedVector() throws {
        let vector = try #require(try Self.load(prefix: "good_signed").first)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-vector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("\(vector.key ?? "").sealed")
        try Data(vector.file.utf8).write(to: file)
        let identity = try #require(vector.recipients?.last?.identity)
        let result = try runPython([InteropTests.scriptPath, vector.workspace, file.path], stdin: identity + "\n")
        try #require(result.status == 0, "pynacl_open.py: \(result.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]
        #expect(decoded == [vector.key ?? "": vector.value ?? ""])
    }

    /// crypto_box_seal with the vector's ephemeral key: epk || crypto_box_easy(m, BLAKE2b-192(epk || pk), pk, esk).
    private func sealDeterministically(_ dataKey: SecureBytes, to recipient: PublicKey, ephemeral entry: Vector.Entry) throws -> [UInt8] {
        let esk = try hex(entry.ephemeralSecretKey)
        let epk = try Identity(secretKey: try SecureBytes(copying: esk)).publicKey.bytes
        #expect(epk == (try hex(entry.ephemeralPublicKey)))
        let nonce = Hash.blake2b(epk + recipient.bytes, length: 24)
        #expect(nonce == (try hex(entry.sealedBoxNonce)))
        let message = dataKey.withUnsafeBytes { Array($0) }
        var box = [UInt8](repeating: 0, count: message.count + Int(crypto_box_macbytes()))
        #expect(crypto_box_easy(&box, message, UInt64(message.count), nonce, recipient.bytes, esk) == 0)
        return epk + box
    }

    private func hex(_ text: String) throws -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { throw StoreError.io(path: text, problem: "odd hex") }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                throw StoreError.io(path: text, problem: "not hex")
            }
            return byte
        }
    }

    private func runPython(_ arguments: [String], stdin: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        let outcome = try ChildProcess.run(["python3"] + arguments, input: Array(stdin.utf8))
        return (outcome.signaled ? 128 + outcome.status : outcome.status,
                String(decoding: outcome.stdout, as: UTF8.self), outcome.errorText)
    }
}
